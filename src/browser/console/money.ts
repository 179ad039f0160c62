// Amounts arrive as strings of minor units (the Money scalar) and are shown with the wallet's
// scale, in bigint arithmetic: no float ever touches an amount.

/** "-123456" at scale 2 → "-1,234.56". */
export function formatMoney(minor: string, scale: number): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** An amount with its unit: "-1,234.56 USD". */
export function formatAmount(minor: string, scale: number, currency: string): string {
  return `${formatMoney(minor, scale)} ${currency}`;
}

/** The exact decimal, without grouping, for files read by other programs: "-1234.56". */
export function plainDecimal(minor: string, scale: number): string {
  return formatMoney(minor, scale).replace(/,/g, "");
}
