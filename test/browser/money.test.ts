// The console shows amounts from their minor units in bigint arithmetic: exact at any size.
import { describe, expect, it } from "vitest";
import { formatMoney } from "../../src/browser/console/money.ts";

describe("the console's amounts", () => {
  it("are shown with the wallet's scale, grouped by thousands, signed", () => {
    expect(formatMoney("0", 2)).toBe("0.00");
    expect(formatMoney("5", 2)).toBe("0.05");
    expect(formatMoney("-500", 2)).toBe("-5.00");
    expect(formatMoney("123456789", 2)).toBe("1,234,567.89");
    expect(formatMoney("1500", 3)).toBe("1.500");
    expect(formatMoney("1000000", 0)).toBe("1,000,000");
  });

  it("stay exact beyond what a float can hold", () => {
    expect(formatMoney("4611686018427387903", 2)).toBe("46,116,860,184,273,879.03");
    expect(formatMoney("-4611686018427387904", 18)).toBe("-4.611686018427387904");
  });
});
