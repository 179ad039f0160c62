// The wallet's balance over time, drawn from its ledger: each entry's ending balance holds until
// the next entry, so the line is a staircase, carried on to now. Inline SVG, no library, drawn at
// the card's own width in pixels (so labels keep their size on a phone) with time labels in UTC
// whose step fits the range: minutes for an afternoon, days for a month, months for years.
// Vertical positions come from bigint arithmetic on the amounts; only pixels are numbers.
import { svg } from "./dom.ts";
import { formatMoney } from "./money.ts";

export interface BalancePoint {
  createdAt: string;
  endingBalance: string;
  sequence: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Steps between time labels up to two weeks; longer ranges step by months. */
const TIME_STEPS = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  3 * DAY,
  7 * DAY,
  14 * DAY,
];
const MONTH_STEPS = [1, 3, 6, 12, 24, 60];
const AVERAGE_MONTH = 30.44 * DAY;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** Room a time label needs, and an amount label's characters. */
const TIME_LABEL_SPACING = 64;
const CHARACTER_WIDTH = 7;
const HEIGHT = 240;

export interface Tick<T> {
  at: T;
  label: string;
}

export interface TimeAxis {
  ticks: Tick<number>[];
  /** What the labels leave out: the time zone, and the day or year when they show only times or days. */
  caption: string;
}

const day = (at: number) => new Date(at).toISOString().slice(0, 10);
const dayAndMonth = (at: Date) => `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]}`;

/** Labels for instants from `start` to `end` (milliseconds), at most `most` of them, in UTC. */
export function timeAxis(start: number, end: number, most: number): TimeAxis {
  const range = Math.max(end - start, MINUTE);
  const limit = Math.max(most, 2);
  const step = TIME_STEPS.find((candidate) => range / candidate <= limit);
  if (step !== undefined) {
    const ticks: Tick<number>[] = [];
    for (let at = Math.ceil(start / step) * step; at <= end; at += step) {
      const date = new Date(at);
      // Midnight, or any label once steps are whole days, names the day; others the time.
      const label = step >= DAY || at % DAY === 0 ? dayAndMonth(date) : date.toISOString().slice(11, 16);
      ticks.push({ at, label });
    }
    const [firstDay, lastDay] = [day(start), day(end)];
    const years = [firstDay.slice(0, 4), lastDay.slice(0, 4)];
    const caption =
      step >= DAY
        ? `UTC, ${years[0] === years[1] ? years[0] : `${years[0]}–${years[1]}`}`
        : `UTC, ${firstDay === lastDay ? firstDay : `${firstDay} to ${lastDay}`}`;
    return { ticks, caption };
  }
  const months = MONTH_STEPS.find((candidate) => range / (candidate * AVERAGE_MONTH) <= limit) ?? MONTH_STEPS[MONTH_STEPS.length - 1]!;
  const ticks: Tick<number>[] = [];
  const first = new Date(start);
  // Months counted from year 0; the first label is the first whole step on or after `start`.
  const startMonth = first.getUTCFullYear() * 12 + first.getUTCMonth();
  const firstWholeMonth = start > Date.UTC(first.getUTCFullYear(), first.getUTCMonth()) ? startMonth + 1 : startMonth;
  let monthIndex = Math.ceil(firstWholeMonth / months) * months;
  for (;;) {
    const at = Date.UTC(Math.floor(monthIndex / 12), monthIndex % 12);
    if (at > end) break;
    const label = months >= 12 ? String(Math.floor(monthIndex / 12)) : `${MONTHS[monthIndex % 12]} ${Math.floor(monthIndex / 12)}`;
    ticks.push({ at, label });
    monthIndex += months;
  }
  return { ticks, caption: "UTC" };
}

/** A step of 1, 2 or 5 times a power of ten (in minor units) giving at most `most` steps over `range`. */
function amountStep(range: bigint, most: number): bigint {
  const rough = (range + BigInt(most) - 1n) / BigInt(most);
  let power = 1n;
  while (power * 10n <= rough) power *= 10n;
  for (const factor of [1n, 2n, 5n, 10n]) if (power * factor >= rough) return power * factor;
  return power * 10n;
}

const floorTo = (value: bigint, step: bigint) => (value >= 0n ? (value / step) * step : -((-value + step - 1n) / step) * step);
const ceilTo = (value: bigint, step: bigint) => -floorTo(-value, step);

/** Round amounts spanning `lowest` to `highest` (minor units), zero included, with their labels. */
export function amountAxis(lowest: bigint, highest: bigint, scale: number, most: number): Tick<bigint>[] {
  const low = lowest < 0n ? lowest : 0n;
  const high = highest > 0n ? highest : 0n;
  const step = amountStep(high === low ? 1n : high - low, most);
  const unit = 10n ** BigInt(scale);
  // Whole units when every label is whole: "125" rather than "125.00".
  const label = (value: bigint) => (step % unit === 0n ? formatMoney((value / unit).toString(), 0) : formatMoney(value.toString(), scale));
  const ticks: Tick<bigint>[] = [];
  for (let value = floorTo(low, step); value <= ceilTo(high, step); value += step) ticks.push({ at: value, label: label(value) });
  if (ticks.length === 1) ticks.push({ at: ticks[0]!.at + step, label: label(ticks[0]!.at + step) });
  return ticks;
}

/** Points oldest first, drawn `width` pixels wide. */
export function balanceChart(points: BalancePoint[], scale: number, currency: string, now: Date, width: number): SVGElement {
  const balances = points.map((point) => BigInt(point.endingBalance));
  const amounts = amountAxis(
    balances.reduce((low, value) => (value < low ? value : low), balances[0]!),
    balances.reduce((high, value) => (value > high ? value : high), balances[0]!),
    scale,
    5,
  );
  const lowest = amounts[0]!.at;
  const highest = amounts[amounts.length - 1]!.at;
  const pad = {
    left: Math.max(...amounts.map((tick) => tick.label.length)) * CHARACTER_WIDTH + 14,
    right: 18,
    top: 22,
    bottom: 44,
  };
  const plotWidth = Math.max(width - pad.left - pad.right, 40);
  const plotHeight = HEIGHT - pad.top - pad.bottom;
  const first = Date.parse(points[0]!.createdAt);
  const last = Math.max(now.getTime(), Date.parse(points[points.length - 1]!.createdAt));
  // A single instant is shown as the minute around it.
  const [start, end] = last - first < MINUTE ? [first - MINUTE / 2, first + MINUTE / 2] : [first, last];
  const x = (at: number) => pad.left + ((at - start) / (end - start)) * plotWidth;
  // Hundredths of a pixel, in bigint, so that any amount fits.
  const y = (value: bigint) => pad.top + Number(((highest - value) * BigInt(plotHeight * 100)) / (highest - lowest)) / 100;
  const times = timeAxis(start, end, Math.floor(plotWidth / TIME_LABEL_SPACING));

  let path = "";
  points.forEach((point, index) => {
    const px = x(Date.parse(point.createdAt)).toFixed(1);
    const py = y(balances[index]!).toFixed(1);
    path += index === 0 ? `M${px} ${py}` : `H${px} V${py}`;
  });
  path += `H${(pad.left + plotWidth).toFixed(1)}`;

  const text = (content: string, px: number, py: number, anchor: string, kind: string) =>
    svg("text", { x: px.toFixed(1), y: py.toFixed(1), "text-anchor": anchor, class: `axis-label ${kind}` }, content);
  const lastPoint = points[points.length - 1]!;
  const bottom = pad.top + plotHeight;
  return svg(
    "svg",
    {
      viewBox: `0 0 ${width} ${HEIGHT}`,
      width,
      height: HEIGHT,
      role: "img",
      class: "balance-chart",
      "aria-labelledby": "balance-chart-title",
    },
    svg(
      "title",
      { id: "balance-chart-title" },
      `Balance over time: ${formatMoney(lastPoint.endingBalance, scale)} ${currency} after entry ${lastPoint.sequence}`,
    ),
    text(currency, pad.left - 8, 12, "end", "unit-label"),
    ...amounts.flatMap((tick) => [
      svg("line", {
        x1: pad.left,
        x2: pad.left + plotWidth,
        y1: y(tick.at).toFixed(1),
        y2: y(tick.at).toFixed(1),
        class: tick.at === 0n ? "zero-line" : "grid-line",
      }),
      text(tick.label, pad.left - 8, y(tick.at) + 4, "end", "amount-label"),
    ]),
    ...times.ticks.flatMap((tick) => [
      svg("line", { x1: x(tick.at).toFixed(1), x2: x(tick.at).toFixed(1), y1: bottom, y2: bottom + 5, class: "tick-mark" }),
      // A label at either end is kept inside the chart.
      text(
        tick.label,
        x(tick.at),
        bottom + 18,
        x(tick.at) - (tick.label.length * CHARACTER_WIDTH) / 2 < pad.left - 8
          ? "start"
          : x(tick.at) + (tick.label.length * CHARACTER_WIDTH) / 2 > width
            ? "end"
            : "middle",
        "time-label",
      ),
    ]),
    text(times.caption, pad.left + plotWidth, HEIGHT - 4, "end", "time-caption"),
    svg("path", { d: path, class: "balance-line" }),
    ...points.map((point, index) =>
      svg(
        "circle",
        {
          cx: x(Date.parse(point.createdAt)).toFixed(1),
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
