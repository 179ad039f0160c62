// Hostile values for the security suite's fuzzing, by the kind of field they are sent to: named
// classics that every field of a kind receives or that rotate across fields, and fast-check
// arbitraries for the rest. Each value says whether the gateway must refuse it, which holds for
// malformed amounts, impossible dates and 1 MB strings; anything else may be accepted or refused,
// but never answered with a 5xx.
import fc from "fast-check";

export interface HostileValue {
  /** A short name for failure messages. */
  name: string;
  value: unknown;
  mustRefuse: boolean;
}

export type FieldKind =
  /** GraphQL Money: minor units, a string of digits with an optional minus sign (or a safe integer). */
  | "money"
  /** A REST whole number: credits or cents, a JSON integer (or a string of digits). */
  | "integer"
  /** A REST decimal in major units, exact: Orb's amounts. */
  | "decimal"
  /** A REST decimal string: commerce credits and rates. */
  | "decimal string"
  | "date"
  | "id"
  | "text"
  | "int"
  | "object"
  | "list"
  | "enum"
  | "boolean";

/** A fixed seed unless FUZZ_SEED says otherwise: CI runs are repeatable, and a failure names its seed. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261125);

const MEGABYTE = "x".repeat(1 << 20);

const named = (name: string, value: unknown, mustRefuse = false): HostileValue => ({ name, value, mustRefuse });

/** Numbers no amount field may accept: they are not exact counts as written. */
const MALFORMED_NUMBERS: HostileValue[] = [
  named("numeric string with spaces", " 12", true),
  named("numeric string with an inner space", "1 000", true),
  named("exponent string", "1e3", true),
  named("float", 1.5, true),
  named("float string", "1.5", true),
  named("hex string", "0x10", true),
  named("underscore digits", "1_000", true),
  named("plus sign", "+5", true),
  named("NaN", "NaN", true),
  named("Infinity", "Infinity", true),
  named("Arabic-Indic digits", "١٢", true),
  named("full-width digits", "１２", true),
  named("empty string", "", true),
  named("huge float", 1e21, true),
  named("tiny float", 1e-7, true),
  named("boolean", true, true),
  named("array", [1], true),
  named("object", { amount: 1 }, true),
];

const EXTREME_NUMBERS: HostileValue[] = [
  named("2^63", "9223372036854775808"),
  named("32 nines", "9".repeat(32)),
  named("negative", "-5"),
  named("minus 2^63", "-9223372036854775808"),
  named("zero", "0"),
  named("negative zero", "-0"),
];

const STRINGS: HostileValue[] = [
  named("NUL byte", "a\u0000b"),
  named("lone surrogate", "a\ud800b"),
  named("1 MB string", MEGABYTE, true),
  named("empty string", ""),
  named("unicode", "💸 Ä ñ 中文 \u202eevil"),
  named("zero-width and combining", "a\u200b\u0301b"),
  named("control characters", "\u0001\u001b[31m\u007f"),
  named("__proto__", "__proto__"),
  named("constructor", "constructor"),
  named("10k characters", "y".repeat(10_000)),
  named("SQL", "'; DROP TABLE wallet; --"),
  named("percent-encoding", "%ZZ%00%"),
];

const DATES: HostileValue[] = [
  named("February 30th", "2099-02-30T00:00:00Z", true),
  named("February 30th, date only", "2099-02-30", true),
  named("month 13", "2026-13-01T00:00:00Z", true),
  named("February 29th of a common year", "2027-02-29T00:00:00Z", true),
  named("hour 25", "2026-01-01T25:00:00Z", true),
  named("offset +99:00", "2026-01-01T00:00:00+99:00", true),
  named("year 275761", "275761-01-01T00:00:00Z", true),
  named("a word", "yesterday", true),
  named("a number", 1e21, true),
  named("unpadded", "2026-1-1", true),
  named("empty string", "", true),
];

const IDS: HostileValue[] = [
  named("not base64", "%%%"),
  named("global id of no uuid", Buffer.from("Wallet:not-a-uuid").toString("base64")),
  named("global id of another type", Buffer.from("Hold:00000000-0000-0000-0000-000000000000").toString("base64")),
  named("global id with a NUL", Buffer.from("Wallet:\u0000").toString("base64")),
  named("empty string", ""),
  named("NUL byte", "a\u0000b"),
  named("uuid of no one", "00000000-0000-0000-0000-000000000000"),
  named("__proto__", "__proto__"),
  named("1 MB string", MEGABYTE, true),
  named("number", 12),
];

const INTS: HostileValue[] = [
  named("2^53", 2 ** 53),
  named("float", 1.5),
  named("2^31", 2 ** 31),
  named("negative", -1),
  named("numeric string", "5"),
  named("huge float", 1e308),
];

const OBJECTS: HostileValue[] = [
  named("__proto__ key", JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')),
  named("NUL in a key and a value", { "a\u0000": "b\u0000" }),
  named("lone surrogate key", { "\ud800": "\udfff" }),
  named("deep nesting", nested(200)),
  named("1 MB value", { note: MEGABYTE }, true),
  named("array", [1, 2]),
  named("string", "meta"),
];

const LISTS: HostileValue[] = [
  named("NUL item", ["a\u0000b"]),
  named(
    "10,000 items",
    Array.from({ length: 10_000 }, (_, index) => `c${index}`),
  ),
  named("non-string items", [1, null, {}]),
  named("a string", "paid"),
];

const BOOLEANS: HostileValue[] = [
  named("string", "true"),
  named("number", 1),
  named("empty string", ""),
  named("object", { value: true }),
  named("array", [true]),
  named("1 MB string", MEGABYTE, true),
];

const ENUMS: HostileValue[] = [
  named("__proto__", "__proto__"),
  named("constructor", "constructor"),
  named("toString", "toString"),
  named("lower case", "topup"),
  named("NUL", "TOPUP\u0000"),
];

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 0; level < depth; level += 1) value = { nested: value };
  return value;
}

/** Named values for a kind: `always` go to every field of the kind, `rotating` are shared out. */
export function namedValues(kind: FieldKind): { always: HostileValue[]; rotating: HostileValue[] } {
  switch (kind) {
    case "money":
    case "integer":
    case "decimal":
    case "decimal string": {
      const always = MALFORMED_NUMBERS.filter((hostile) =>
        ["numeric string with spaces", "exponent string", "float"].includes(hostile.name),
      );
      const rotating = [...MALFORMED_NUMBERS.filter((hostile) => !always.includes(hostile)), ...EXTREME_NUMBERS];
      return { always: always.map((hostile) => refusedFor(kind, hostile)), rotating: rotating.map((hostile) => refusedFor(kind, hostile)) };
    }
    case "text":
      return { always: STRINGS.slice(0, 3), rotating: STRINGS.slice(3) };
    case "date":
      return { always: DATES.slice(0, 1), rotating: DATES.slice(1) };
    case "id":
      return { always: IDS.slice(0, 2), rotating: IDS.slice(2) };
    case "int":
      return { always: INTS.slice(0, 2), rotating: INTS.slice(2) };
    case "object":
      return { always: OBJECTS.slice(0, 2), rotating: OBJECTS.slice(2) };
    case "list":
      return { always: LISTS.slice(0, 1), rotating: LISTS.slice(1) };
    case "enum":
      return { always: ENUMS.slice(0, 2), rotating: ENUMS.slice(2) };
    case "boolean":
      return { always: BOOLEANS.slice(0, 2), rotating: BOOLEANS.slice(2) };
  }
}

/**
 * Whether an amount field must refuse `value`: anything but an exact number in the form the
 * field documents. Orb's decimals are JSON numbers (a float like 1.5 is a fine decimal there), the
 * commerce API's are decimal strings; the others count whole units.
 */
function refusedFor(kind: FieldKind, hostile: HostileValue): HostileValue {
  const value = hostile.value;
  const wholeNumber = (typeof value === "string" && /^-?\d+$/.test(value)) || Number.isSafeInteger(value);
  const decimalString = typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value);
  // A JSON number written without an exponent: JSON.stringify shows how it goes on the wire.
  const plainNumber = typeof value === "number" && Number.isFinite(value) && !/e/i.test(String(value));
  if (kind === "decimal") return { ...hostile, mustRefuse: !plainNumber && !decimalString };
  if (kind === "decimal string") return { ...hostile, mustRefuse: !decimalString };
  return { ...hostile, mustRefuse: !wholeNumber };
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const anyCodePoint = fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), loneSurrogate);

/** An impossible calendar date: a day past the end of its month. */
const impossibleDate = fc
  .record({
    year: fc.integer({ min: 1971, max: 2199 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 29, max: 31 }),
    dateOnly: fc.boolean(),
  })
  .filter(({ year, month, day }) => day > new Date(Date.UTC(year, month, 0)).getUTCDate())
  .map(({ year, month, day, dateOnly }) => {
    const date = `${year}-${String(month).padStart(2, "0")}-${day}`;
    return named("impossible date", dateOnly ? date : `${date}T12:00:00Z`, true);
  });

/** Random hostile values for a kind. */
export function hostileArbitrary(kind: FieldKind): fc.Arbitrary<HostileValue> {
  const anything = fc
    .oneof(fc.jsonValue(), fc.string({ unit: anyCodePoint, maxLength: 30 }))
    .map((value) => named("random JSON value", value));
  switch (kind) {
    case "money":
    case "integer":
    case "decimal":
    case "decimal string":
      return fc
        .oneof(
          fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((value) => named("big integer string", String(value))),
          fc.double().map((value) => named("double", value)),
          fc.integer().map((value) => named("integer with spaces", ` ${value} `)),
          fc.stringMatching(/^-?\d{1,25}(\.\d{1,25})?([eE][-+]?\d{1,3})?$/).map((value) => named("decimal string", value)),
          anything,
        )
        .map((hostile) => refusedFor(kind, hostile));
    case "text":
    case "id":
    case "enum":
      return fc.oneof(
        fc.string({ unit: anyCodePoint, maxLength: 60 }).map((value) => named("random string", value)),
        anything,
      );
    case "date":
      return fc.oneof(
        impossibleDate,
        fc.date({ noInvalidDate: true }).map((date) => named("random date", date.toISOString())),
        anything,
      );
    case "int":
      return fc.oneof(
        fc.integer().map((value) => named("random integer", value)),
        fc.double().map((value) => named("random double", value)),
        anything,
      );
    case "object":
      return fc.oneof(
        fc.object().map((value) => named("random object", value)),
        anything,
      );
    case "boolean":
      return fc.oneof(
        fc.boolean().map((value) => named("random boolean", value)),
        anything,
      );
    case "list":
      return fc.oneof(
        fc.array(fc.string({ unit: anyCodePoint, maxLength: 20 }), { maxLength: 20 }).map((value) => named("random list", value)),
        anything,
      );
  }
}

/** The named values a field receives: all of `always`, and `count` of `rotating` picked by the field's index. */
export function examplesFor(kind: FieldKind, fieldIndex: number, count = 3): HostileValue[] {
  const { always, rotating } = namedValues(kind);
  return [
    ...always,
    ...Array.from({ length: Math.min(count, rotating.length) }, (_, offset) => rotating[(fieldIndex * count + offset) % rotating.length]!),
  ];
}

/**
 * The value as a query parameter carries it, a string, and whether it must then be refused: an
 * array [1] arrives as "[1]", which no number field may take, and an empty value as no value.
 */
export function asQueryValue(kind: FieldKind, hostile: HostileValue): HostileValue {
  const value = typeof hostile.value === "string" ? hostile.value : JSON.stringify(hostile.value);
  // An empty parameter reads as one not given.
  if (value === "") return { ...hostile, value, mustRefuse: false };
  const asString = { ...hostile, value };
  return kind === "money" || kind === "integer" || kind === "decimal" || kind === "decimal string" ? refusedFor(kind, asString) : asString;
}

/**
 * Percent-encodes any string, a lone surrogate included: as the three bytes it would take in
 * UTF-8 (%ED%A0%80 for U+D800), which are not valid UTF-8, where encodeURIComponent would throw.
 */
export function percentEncode(text: string): string {
  let encoded = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    encoded +=
      code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            .map((byte) => `%${byte.toString(16).toUpperCase()}`)
            .join("")
        : encodeURIComponent(char);
  }
  return encoded;
}

/** A value for failure messages: short, with invisible characters shown. */
export function describeHostile(hostile: HostileValue): string {
  const text = JSON.stringify(hostile.value) ?? String(hostile.value);
  return `${hostile.name} ${text.length > 60 ? `${text.slice(0, 60)}…(${text.length} chars)` : text}`;
}
