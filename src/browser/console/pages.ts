// Relay connections page by page: forward with first/after, back with last/before.
import { h } from "./dom.ts";

export interface PageInfo {
  startCursor: string | null;
  endCursor: string | null;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: PageInfo;
  edges: { node: T }[];
}

/** Where a list is: the connection arguments of the page to show. */
export type Cursor = { after?: string } | { before?: string };

export const PAGE_INFO = "pageInfo { startCursor endCursor hasNextPage hasPreviousPage }";

export function pageArguments(cursor: Cursor, size: number): Record<string, unknown> {
  return "before" in cursor && cursor.before
    ? { last: size, before: cursor.before }
    : { first: size, after: "after" in cursor ? cursor.after : undefined };
}

/** "Previous" and "Next" under a list, with how many there are. */
export function pager(label: string, connection: Connection<unknown>, go: (cursor: Cursor) => void): HTMLElement {
  const { pageInfo } = connection;
  return h(
    "nav",
    { class: "pager", "aria-label": `${label} pages` },
    h(
      "button",
      { type: "button", disabled: !pageInfo.hasPreviousPage, onclick: () => go({ before: pageInfo.startCursor! }) },
      "← Previous",
    ),
    h("span", { class: "count" }, `${connection.edges.length} shown of ${connection.totalCount}`),
    h("button", { type: "button", disabled: !pageInfo.hasNextPage, onclick: () => go({ after: pageInfo.endCursor! }) }, "Next →"),
  );
}
