import { GraphQLError } from "graphql";

export const MAX_PAGE_SIZE = 100;

/** Pages are capped; asking for more is an error rather than a silently shorter page. */
export function requirePageSize(args: { first?: number | null; last?: number | null }): void {
  for (const size of [args.first, args.last]) {
    if (size != null && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`first and last must be between 0 and ${MAX_PAGE_SIZE}`, { extensions: { code: "PAGE_SIZE_EXCEEDED" } });
    }
  }
}

/** For a connection's `maxSize`: the cap, after refusing a page beyond it. */
export function pageCap(args: { first?: number | null; last?: number | null }): number {
  requirePageSize(args);
  return MAX_PAGE_SIZE;
}
