// CSV as RFC 4180 has it: fields separated by commas, records by CRLF, and a field quoted (its
// quotes doubled) when it holds a comma, a quote or a line break. Text that a spreadsheet would
// run as a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with a quote
// mark; amounts are written as they are, since a number is never run.

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field; `text` marks free text (a description), which a spreadsheet must not run. */
export function csvField(value: string, text = false): string {
  const safe = text && FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface CsvColumn<T> {
  name: string;
  value: (row: T) => string;
  /** Free text from people: guarded against being run as a formula. */
  text?: boolean;
}

/** A header line and one line per row, each ended by CRLF. */
export function toCsv<T>(columns: CsvColumn<T>[], rows: Iterable<T>): string {
  const lines = [columns.map((column) => csvField(column.name)).join(",")];
  for (const row of rows) lines.push(columns.map((column) => csvField(column.value(row), column.text)).join(","));
  return lines.map((line) => `${line}\r\n`).join("");
}
