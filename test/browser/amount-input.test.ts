// Amounts typed into the console's action forms become minor units exactly, or are refused.
import { describe, expect, it } from "vitest";
import { parseAmount } from "../../src/browser/console/amount-input.ts";

describe("an amount typed into an action form", () => {
  it("becomes minor units of the wallet's scale, in whole or with decimals, grouped or not", () => {
    expect(parseAmount("25", 2)).toBe("2500");
    expect(parseAmount("25.5", 2)).toBe("2550");
    expect(parseAmount(" 0.05 ", 2)).toBe("5");
    expect(parseAmount(".5", 2)).toBe("50");
    expect(parseAmount("1,234,567.89", 2)).toBe("123456789");
    expect(parseAmount("1500", 0)).toBe("1500");
    expect(parseAmount("1.5", 3)).toBe("1500");
    expect(parseAmount("-2.00", 2)).toBe("-200");
    expect(parseAmount("-0", 2)).toBe("0");
  });

  it("stays exact beyond what a float can hold", () => {
    expect(parseAmount("46116860184273879.03", 2)).toBe("4611686018427387903");
    expect(parseAmount("4.611686018427387904", 18)).toBe("4611686018427387904");
  });

  it("is refused with more decimals than the unit has, or when it is not a number", () => {
    for (const text of ["1.005", "1.5", "", ".", "abc", "1,23", "1e3", "12,34.5", "--1", "1.2.3"]) {
      expect(parseAmount(text, text === "1.5" ? 0 : 2), text).toBeNull();
    }
  });
});
