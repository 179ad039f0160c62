import type { Viewer } from "../auth/tokens.ts";
import type { LedgerContext } from "../ledger/context.ts";

export interface GraphQLContext {
  viewer: Viewer;
  ledger: LedgerContext;
}
