// Amounts people type ("12.50", "1,000") read into minor units of the wallet's scale as a string,
// in bigint arithmetic: no float ever touches an amount. More decimals than the scale has are
// refused rather than rounded.

/** "12.5" at scale 2 → "1250"; null when the text is not an amount with at most `scale` decimals. */
export function parseAmount(text: string, scale: number): string | null {
  const match = /^(-?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[2] === undefined && !match[3])) return null;
  const [, sign, whole = "0", fraction = ""] = match;
  if (fraction.length > scale) return null;
  const minor = BigInt(whole.replace(/,/g, "") + fraction.padEnd(scale, "0"));
  return (sign && minor !== 0n ? -minor : minor).toString();
}
