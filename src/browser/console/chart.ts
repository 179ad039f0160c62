// The wallet's balance over time, drawn from its ledger: each entry's ending balance holds until
// the next entry, so the line is a staircase, carried on to now. Inline SVG, no library.
// Vertical positions come from bigint arithmetic on the amounts; only pixels are numbers.
import { svg } from "./dom.ts";
import { formatMoney } from "./money.ts";

export interface BalancePoint {
  createdAt: string;
  endingBalance: string;
  sequence: string;
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 90, right: 16, top: 16, bottom: 28 };

/** Points oldest first. */
export function balanceChart(points: BalancePoint[], scale: number, currency: string, now: Date): SVGElement {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const balances = points.map((point) => BigInt(point.endingBalance));
  const lowest = balances.reduce((low, value) => (value < low ? value : low), 0n);
  let highest = balances.reduce((high, value) => (value > high ? value : high), 0n);
  if (highest === lowest) highest = lowest + 1n;
  const start = Date.parse(points[0]!.createdAt);
  const end = Math.max(now.getTime(), Date.parse(points[points.length - 1]!.createdAt));
  const x = (iso: string) => PAD.left + (end === start ? plotWidth : ((Date.parse(iso) - start) / (end - start)) * plotWidth);
  // Hundredths of a pixel, in bigint, so that any amount fits.
  const y = (value: bigint) => PAD.top + Number(((highest - value) * BigInt(plotHeight * 100)) / (highest - lowest)) / 100;

  let path = "";
  points.forEach((point, index) => {
    const px = x(point.createdAt).toFixed(1);
    const py = y(balances[index]!).toFixed(1);
    path += index === 0 ? `M${px} ${py}` : `H${px} V${py}`;
  });
  path += `H${(PAD.left + plotWidth).toFixed(1)}`;

  const label = (text: string, px: number, py: number, anchor: string) =>
    svg("text", { x: px.toFixed(1), y: py.toFixed(1), "text-anchor": anchor, class: "axis-label" }, text);
  const last = points[points.length - 1]!;
  return svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "balance-chart", "aria-labelledby": "balance-chart-title" },
    svg(
      "title",
      { id: "balance-chart-title" },
      `Balance over time: ${formatMoney(last.endingBalance, scale)} ${currency} after entry ${last.sequence}`,
    ),
    svg("line", { x1: PAD.left, x2: PAD.left + plotWidth, y1: y(0n).toFixed(1), y2: y(0n).toFixed(1), class: "zero-line" }),
    label(formatMoney(highest.toString(), scale), PAD.left - 6, PAD.top + 4, "end"),
    label(formatMoney(lowest.toString(), scale), PAD.left - 6, PAD.top + plotHeight, "end"),
    label(points[0]!.createdAt.slice(0, 10), PAD.left, HEIGHT - 8, "start"),
    label(new Date(end).toISOString().slice(0, 10), PAD.left + plotWidth, HEIGHT - 8, "end"),
    svg("path", { d: path, class: "balance-line" }),
    ...points.map((point, index) =>
      svg(
        "circle",
        {
          cx: x(point.createdAt).toFixed(1),
          cy: y(balances[index]!).toFixed(1),
          r: 3,
          class: "balance-point",
          "data-balance": point.endingBalance,
          "data-sequence": point.sequence,
        },
        svg(
          "title",
          {},
          `#${point.sequence} ${point.createdAt.slice(0, 16).replace("T", " ")} UTC: ${formatMoney(point.endingBalance, scale)} ${currency}`,
        ),
      ),
    ),
  );
}
