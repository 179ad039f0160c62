// Building the page from data without ever parsing it as HTML: every string becomes a text node
// or an attribute value, so a customer named "<img onerror=…>" is shown, never run.

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | undefined | null | EventListener>;

const SVG_NS = "http://www.w3.org/2000/svg";

function fill<E extends Element>(element: E, props: Props, children: Child[]): E {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An HTML element with attributes (`onclick` and the like become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), props, children);
}

/** The same for SVG. */
export function svg(tag: string, props: Props = {}, ...children: Child[]): SVGElement {
  return fill(document.createElementNS(SVG_NS, tag) as SVGElement, props, children);
}

/** A note where a list is empty, with what to do about it (a hint, code shown as code). */
export function emptyNote(text: string, hint?: Child[]): HTMLElement {
  return h("p", { class: "empty", role: "status" }, text, ...(hint ? [" ", ...hint] : []));
}

/**
 * A table with a caption (its accessible name), a header row and one row per item. It scrolls
 * sideways inside its card, so a narrow screen never scrolls the whole page.
 */
export function table<T>(
  caption: string,
  columns: { label: string; cell: (item: T) => Child; numeric?: boolean }[],
  items: T[],
  empty: string | HTMLElement,
): HTMLElement {
  if (items.length === 0) return typeof empty === "string" ? emptyNote(empty) : empty;
  return h(
    "div",
    // Focusable, so that a keyboard can scroll it too.
    { class: "table-scroll", role: "region", "aria-label": `${caption} table`, tabindex: 0 },
    h(
      "table",
      {},
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h("tr", {}, ...columns.map((column) => h("th", { scope: "col", class: column.numeric ? "numeric" : undefined }, column.label))),
      ),
      h(
        "tbody",
        {},
        ...items.map((item) =>
          h("tr", {}, ...columns.map((column) => h("td", { class: column.numeric ? "numeric" : undefined }, column.cell(item)))),
        ),
      ),
    ),
  );
}

/** An instant as the gateway sends it (UTC), shown to the minute. */
export function when(iso: string | null | undefined, never = "never"): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : never;
}

/** A day typed as YYYY-MM-DD and read in UTC, as every date on the console's pages is (not the browser's own date picker, which shows the local format). */
export const DAY_INPUT = {
  inputmode: "numeric",
  pattern: "\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])",
  placeholder: "YYYY-MM-DD",
  title: "A day in UTC, as YYYY-MM-DD",
  autocomplete: "off",
  size: 11,
};
