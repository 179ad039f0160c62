// Which database a request reads from. With a read replica (DATABASE_REPLICA_URL), standalone
// reads go there: GraphQL query operations and REST GETs, whose answers show only what they read.
// Whatever must see the caller's own write stays on the primary: a GraphQL mutation, the payload
// it returns and its idempotent replays included; REST POST, PUT and DELETE and their answers;
// token authentication (a revocation must be seen at once: TokenAuthenticator is given the
// primary's client); the Stripe webhook, the sweeps and auto top-ups (the primary's ledger, in
// server.ts). A replica trails the primary by its replication lag, and so may a standalone read.
//
// The choice is made here, once per request, from the kind of operation, and handed down as the
// ledger the request works on: resolvers and handlers use the ledger they are given and never
// choose. A ledger for reads is never written through: a replica refuses writes, and everything
// that reads then writes is a mutation or a POST, which get the primary.
import { OperationTypeNode } from "graphql";
import type { PrismaClient } from "./generated/client.ts";
import type { LedgerContext } from "../ledger/index.ts";

export interface RequestLedgers {
  /** Writes, and the reads that must see them. */
  primary: LedgerContext;
  /** Standalone reads: on the replica when there is one, else the primary itself. */
  reads: LedgerContext;
}

export function requestLedgers(primary: LedgerContext, replica: PrismaClient | null): RequestLedgers {
  return { primary, reads: replica ? { ...primary, prisma: replica } : primary };
}

/** A REST request's: a GET's answer is a standalone read; the other methods write and answer what they wrote. */
export function restLedger(ledgers: RequestLedgers, method: string): LedgerContext {
  return method === "GET" ? ledgers.reads : ledgers.primary;
}

/** A GraphQL operation's: a query is standalone reads; a mutation, anything else (or unknown), the primary. */
export function graphqlLedger(ledgers: RequestLedgers, operation: OperationTypeNode | undefined): LedgerContext {
  return operation === OperationTypeNode.QUERY ? ledgers.reads : ledgers.primary;
}
