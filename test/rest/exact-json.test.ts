// The REST shim's JSON reader: JSON.parse's grammar and values, numbers kept as written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactDecimal, isJsonObject, JsonNumber, parseExactJson, plainJson } from "../../src/rest/exact-json.ts";

describe("parseExactJson", () => {
  it("builds what JSON.parse builds, numbers apart", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(plainJson(parseExactJson(text))).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps every number token as its text", () => {
    const body = parseExactJson('{"amount": 100000000000000.01, "list": [-0, 1E+3, 0.1e-2, 12345678901234567890123]}') as Record<
      string,
      any
    >;
    expect(body.amount).toBeInstanceOf(JsonNumber);
    expect(body.amount.text).toBe("100000000000000.01");
    expect(body.list.map((number: JsonNumber) => number.text)).toEqual(["-0", "1E+3", "0.1e-2", "12345678901234567890123"]);
  });

  it("refuses what JSON.parse refuses", () => {
    const accepts = (parse: (text: string) => unknown, text: string) => {
      try {
        parse(text);
        return true;
      } catch {
        return false;
      }
    };
    const samples = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'{}[]":,-+.0123456789eEtruefalsn \\u/\t\n\u0000x') }),
      // A valid text with one character dropped or inserted.
      fc
        .tuple(fc.json(), fc.nat(), fc.constantFrom("", ",", "}", "]", '"', "-", ".", "e", "0", "\\", "\u0001"))
        .map(
          ([text, at, char]) => text.slice(0, at % (text.length + 1)) + char + text.slice((at % (text.length + 1)) + (char === "" ? 1 : 0)),
        ),
    );
    fc.assert(
      fc.property(samples, (text) => {
        expect(accepts(parseExactJson, text), JSON.stringify(text)).toBe(accepts(JSON.parse, text));
      }),
      { numRuns: 2000 },
    );
    for (const text of [
      "",
      "01",
      "1.",
      ".5",
      "-",
      "+1",
      "1e",
      "0x10",
      "NaN",
      "Infinity",
      "[1,]",
      '{"a":1,}',
      "{'a':1}",
      '"\\x41"',
      '"\t"',
      "[1] 2",
      "tru",
      "nulll",
    ]) {
      expect(() => parseExactJson(text), text).toThrow(SyntaxError);
    }
  });

  it("makes __proto__ an own property, never the prototype, as JSON.parse does", () => {
    const body = parseExactJson('{"__proto__": {"amount": 5}, "constructor": 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.hasOwn(body, "__proto__")).toBe(true);
    expect((body as { amount?: unknown }).amount).toBeUndefined();
    expect(plainJson(body)).toStrictEqual(JSON.parse('{"__proto__": {"amount": 5}, "constructor": 1}'));
  });

  it("refuses nesting deeper than any partner's body, without running off the stack", () => {
    expect(() => parseExactJson("[".repeat(100_000) + "]".repeat(100_000))).toThrow(SyntaxError);
    expect(parseExactJson("[".repeat(200) + "]".repeat(200))).toBeInstanceOf(Array);
  });
});

describe("JsonNumber.toDecimal", () => {
  it.each([
    ["100000000000000.01", "100000000000000.01"],
    ["10", "10"],
    ["10.50", "10.5"],
    ["-0", "0"],
    ["-0.0e5", "0"],
    ["1e3", "1000"],
    ["1.5E+2", "150"],
    ["25e-1", "2.5"],
    ["0.001e3", "1"],
    ["-12.5e-3", "-0.0125"],
    ["123456789012345678901234567890", "123456789012345678901234567890"],
  ])("writes %s as %s", (text, decimal) => {
    expect(new JsonNumber(text).toDecimal()).toBe(decimal);
  });

  it("agrees with the float wherever the float is exact", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 6 }), (units, places) => {
        const number = units / 10 ** places;
        const decimal = new JsonNumber(JSON.stringify(number)).toDecimal()!;
        expect(Number(decimal)).toBe(number);
      }),
    );
  });

  it("gives null for an exponent beyond any amount, and exactDecimal null for anything but a number", () => {
    expect(new JsonNumber("1e999999999999").toDecimal()).toBeNull();
    expect(new JsonNumber("1e-401").toDecimal()).toBeNull();
    expect(exactDecimal("5")).toBeNull();
    expect(exactDecimal(5)).toBeNull();
    expect(exactDecimal(new JsonNumber("5"))).toBe("5");
    expect(isJsonObject(new JsonNumber("5"))).toBe(false);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject({})).toBe(true);
  });
});
