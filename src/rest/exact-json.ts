// JSON request bodies read exactly. JSON.parse turns every number into a float, so an amount such
// as 100000000000000.01 would reach the ledger as …0.02. This parser takes the same grammar as
// JSON.parse (RFC 8259) and builds the same values, except that each number stays the text it was
// written as (a JsonNumber), for the vendor's field rules to read digit for digit.
//
// Objects are plain objects whose keys are own data properties, as JSON.parse makes them: a
// "__proto__" key is a property like any other, never the object's prototype.

/** A JSON number as written in the request, e.g. `100000000000000.01` or `1e3`. */
export class JsonNumber {
  constructor(readonly text: string) {}

  /**
   * The number in plain decimal notation without exponent, leading or trailing zeros:
   * `1.50e2` is "150", `-0.0` is "0". Null when the exponent is beyond any amount's reach.
   */
  toDecimal(): string | null {
    const [, sign, whole, fraction = "", exponent = "0"] = NUMBER_PARTS.exec(this.text)!;
    const shift = Number(exponent);
    if (Math.abs(shift) > MAX_EXPONENT) return null;
    const digits = whole! + fraction;
    const point = whole!.length + shift;
    const integerPart = point <= 0 ? "0" : digits.slice(0, point).padEnd(point, "0");
    const fractionPart = point <= 0 ? "0".repeat(-point) + digits : digits.slice(point);
    const integer = integerPart.replace(/^0+(?=\d)/, "");
    const decimals = fractionPart.replace(/0+$/, "");
    const isZero = /^0$/.test(integer) && decimals === "";
    return `${sign && !isZero ? "-" : ""}${integer}${decimals ? `.${decimals}` : ""}`;
  }

  /** Where a body's subtree is kept as JSON (metadata), the number JSON.parse would have made. */
  toJSON(): number {
    return Number(this.text);
  }
}

const NUMBER_PARTS = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Far past any amount (2^62 has 19 digits) and still a short string. */
const MAX_EXPONENT = 400;
/** Deeper nesting is no partner's body; refusing it keeps the parser off the end of the stack. */
const MAX_DEPTH = 256;

/** The decimal text of a JSON number (see JsonNumber.toDecimal), or null for any other value. */
export function exactDecimal(value: unknown): string | null {
  return value instanceof JsonNumber ? value.toDecimal() : null;
}

/** A JSON object: not an array, not null, and not a number (which this parser makes an object). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/** The value JSON.parse would have made, for subtrees kept as free-form JSON (metadata, settings). */
export function plainJson(value: unknown): unknown {
  if (value instanceof JsonNumber) return value.toJSON();
  if (Array.isArray(value)) return value.map(plainJson);
  if (isJsonObject(value)) {
    const plain: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) defineField(plain, key, plainJson(field));
    return plain;
  }
  return value;
}

/** Parses JSON text like JSON.parse, numbers as JsonNumber. Throws SyntaxError on malformed text. */
export function parseExactJson(text: string): unknown {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.position < text.length) parser.fail("unexpected text after the JSON value");
  return value;
}

function defineField(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const PLAIN_CHARACTERS = /[^"\\\u0000-\u001f]*/y;
const ESCAPES = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);

class Parser {
  position = 0;

  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.position}`);
  }

  skipWhitespace(): void {
    while (this.position < this.text.length) {
      const code = this.text.charCodeAt(this.position);
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return;
      this.position += 1;
    }
  }

  value(depth: number): unknown {
    const char = this.text[this.position];
    switch (char) {
      case "{":
        return this.object(depth + 1);
      case "[":
        return this.array(depth + 1);
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        return this.number();
    }
  }

  private object(depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail("JSON nested too deeply");
    const object: Record<string, unknown> = {};
    this.position += 1;
    this.skipWhitespace();
    if (this.text[this.position] === "}") {
      this.position += 1;
      return object;
    }
    for (;;) {
      if (this.text[this.position] !== '"') this.fail("expected a property name");
      const key = this.string();
      this.skipWhitespace();
      this.expect(":");
      this.skipWhitespace();
      defineField(object, key, this.value(depth));
      this.skipWhitespace();
      if (this.text[this.position] === "}") {
        this.position += 1;
        return object;
      }
      this.expect(",");
      this.skipWhitespace();
    }
  }

  private array(depth: number): unknown[] {
    if (depth > MAX_DEPTH) this.fail("JSON nested too deeply");
    const array: unknown[] = [];
    this.position += 1;
    this.skipWhitespace();
    if (this.text[this.position] === "]") {
      this.position += 1;
      return array;
    }
    for (;;) {
      array.push(this.value(depth));
      this.skipWhitespace();
      if (this.text[this.position] === "]") {
        this.position += 1;
        return array;
      }
      this.expect(",");
      this.skipWhitespace();
    }
  }

  private string(): string {
    this.position += 1;
    let result = "";
    for (;;) {
      PLAIN_CHARACTERS.lastIndex = this.position;
      const plain = PLAIN_CHARACTERS.exec(this.text)![0];
      result += plain;
      this.position += plain.length;
      const char = this.text[this.position];
      if (char === '"') {
        this.position += 1;
        return result;
      }
      if (char !== "\\") this.fail(char === undefined ? "unterminated string" : "control character in string");
      const escape = this.text[this.position + 1] ?? "";
      if (escape === "u") {
        const hex = this.text.slice(this.position + 2, this.position + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape");
        result += String.fromCharCode(parseInt(hex, 16));
        this.position += 6;
      } else {
        const replacement = ESCAPES.get(escape);
        if (replacement === undefined) this.fail("invalid escape");
        result += replacement;
        this.position += 2;
      }
    }
  }

  private number(): JsonNumber {
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail(this.position < this.text.length ? "unexpected character" : "unexpected end of JSON");
    this.position += match[0].length;
    return new JsonNumber(match[0]);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.position)) this.fail("unexpected character");
    this.position += word.length;
    return value;
  }

  private expect(char: string): void {
    if (this.text[this.position] !== char) this.fail(`expected '${char}'`);
    this.position += 1;
  }
}
