// The event log as GraphQL reads it: `events` (a Relay connection, newest first) and the
// `walletUpdated` subscription (over server-sent events, Yoga's default), which replays the log
// after `afterSequence` and then goes live. Both read through the ledger, which decides access.
import { GraphQLError } from "graphql";
import { createGraphQLError, type YogaInitialContext } from "graphql-yoga";
import { TooManyStreamsError, type OpenStream } from "../../events/open-streams.ts";
import { wirePayload } from "../../events/wire-format.ts";
import { walletBalance, listEvents, watchWalletEvents, type EventBalance, type LoggedEvent } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { DEFAULT_PAGE_SIZE } from "../query-limits.ts";
import { MAX_PAGE_SIZE, requirePageSize } from "./pagination.ts";
import { WalletRef } from "./wallet.ts";

export const EventRef = builder.prismaObject("Event", {
  description: "Something that changed, told once; the README lists each type and its payload.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The event's own id (as webhooks carry it)." }),
    type: t.exposeString("type", { description: "e.g. operation.completed, balance.below_threshold." }),
    sequence: t.int({
      description: "The event's number among its wallet's: 1, 2, 3… without gaps.",
      resolve: (event) => Number(event.sequence),
    }),
    wallet: t.relation("wallet"),
    livemode: t.exposeBoolean("livemode"),
    // Times and sequences as webhooks carry them (src/events/wire-format.ts).
    payload: t.field({ type: "JSONObject", resolve: (event) => wirePayload(event.payload) }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

const CURSOR_PREFIX = "event:";

function cursorOf(event: LoggedEvent): string {
  return Buffer.from(`${CURSOR_PREFIX}${event.position}`).toString("base64url");
}

function positionOf(cursor: string): bigint {
  const decoded = Buffer.from(cursor, "base64url").toString();
  if (!decoded.startsWith(CURSOR_PREFIX) || !/^\d{1,19}$/.test(decoded.slice(CURSOR_PREFIX.length))) throw badInput("cursor is not valid");
  return BigInt(decoded.slice(CURSOR_PREFIX.length));
}

builder.queryField("events", (t) =>
  t.connection({
    type: EventRef,
    description: "Events of the token's wallets, newest first; pages go forward only (first, after).",
    args: {
      walletId: t.arg.globalID({ for: [WalletRef], description: "Only this wallet's events." }),
      types: t.arg.stringList({ description: "Only events of these types." }),
    },
    resolve: async (_root, args, ctx) => {
      requirePageSize(args);
      if (args.last != null || args.before != null) throw badInput("events pages go forward only: use first and after");
      const size = Math.min(args.first ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const beforePosition = args.after ? positionOf(args.after) : null;
      const rows = await listEvents(ctx.ledger, ctx.viewer, {
        walletId: args.walletId?.id,
        types: args.types,
        beforePosition,
        limit: size + 1,
      });
      const edges = rows.slice(0, size).map((node) => ({ node, cursor: cursorOf(node) }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > size,
          hasPreviousPage: beforePosition !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);

interface BalanceAfterEvent {
  available: bigint;
  total: bigint;
  used: bigint;
  frozen: bigint;
  ledgerBalance: bigint;
  overdraftUsed: bigint;
}

const EventBalanceRef = builder.objectRef<BalanceAfterEvent>("EventBalance").implement({
  description: "A wallet's balances as an event left them: available = total − used − frozen.",
  fields: (t) => ({
    available: t.field({ type: "Money", resolve: (b) => b.available }),
    total: t.field({ type: "Money", resolve: (b) => b.total }),
    used: t.field({ type: "Money", resolve: (b) => b.used }),
    frozen: t.field({ type: "Money", resolve: (b) => b.frozen }),
    ledgerBalance: t.field({ type: "Money", resolve: (b) => b.ledgerBalance }),
    overdraftUsed: t.field({ type: "Money", resolve: (b) => b.overdraftUsed }),
  }),
});

function toldBalance(event: LoggedEvent): BalanceAfterEvent | null {
  const told = (event.payload as { balance?: EventBalance | null } | null)?.balance;
  if (!told) return null;
  return {
    available: BigInt(told.available),
    total: BigInt(told.total),
    used: BigInt(told.used),
    frozen: BigInt(told.frozen),
    ledgerBalance: BigInt(told.ledgerBalance),
    overdraftUsed: BigInt(told.overdraftUsed),
  };
}

const WalletStateRef = builder.objectRef<LoggedEvent>("WalletUpdateWallet").implement({
  description: "The wallet as the event left it.",
  fields: (t) => ({
    id: t.globalID({ resolve: (event) => ({ type: "Wallet", id: event.walletId }) }),
    balance: t.field({
      type: EventBalanceRef,
      description: "The balances the event tells (money movements and alerts do); for other events, the balances when it is sent.",
      resolve: async (event, _args, ctx) => toldBalance(event) ?? (await walletBalance(ctx.ledger, ctx.viewer, event.walletId)),
    }),
  }),
});

const WalletUpdateRef = builder.objectRef<LoggedEvent>("WalletUpdate").implement({
  fields: (t) => ({
    sequence: t.int({
      description: "The event's number among the wallet's: resume from it with afterSequence.",
      resolve: (event) => Number(event.sequence),
    }),
    event: t.field({ type: EventRef, resolve: (event) => event }),
    wallet: t.field({ type: WalletStateRef, resolve: (event) => event }),
  }),
});

builder.subscriptionType({});

/** What a stream hands out after its last event when its token was refused: told to the client as an error. */
const TOKEN_REFUSED = Symbol("token refused");
type StreamItem = LoggedEvent | typeof TOKEN_REFUSED;

/**
 * The wallet's events as one of the process's open streams (src/events/open-streams.ts): it
 * tells the stream when it waits for its client, frees its slot once done, and ends with a
 * FORBIDDEN error when its token was refused (revoked) meanwhile.
 */
function asOpenStream(events: AsyncIterableIterator<LoggedEvent>, stream: OpenStream): AsyncIterableIterator<StreamItem> {
  let toldRefusal = false;
  return {
    async next() {
      stream.waiting(false);
      let result: IteratorResult<LoggedEvent>;
      try {
        result = await events.next();
      } catch (error) {
        stream.close();
        throw error;
      }
      if (!result.done) {
        stream.waiting(true);
        return result;
      }
      stream.close();
      if (stream.ending === "token-refused" && !toldRefusal) {
        toldRefusal = true;
        return { value: TOKEN_REFUSED, done: false };
      }
      return { value: undefined, done: true };
    },
    async return() {
      stream.close();
      await events.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

builder.subscriptionField("walletUpdated", (t) =>
  t.field({
    type: WalletUpdateRef,
    description:
      "A wallet's events as they commit. With afterSequence, those after it are replayed from the event log first, then live ones follow without gap or repeat; without it, only events from now on.",
    args: {
      walletId: t.arg.globalID({ required: true, for: [WalletRef] }),
      afterSequence: t.arg.int({ description: "The last sequence the client saw (0: from the wallet's first event)." }),
    },
    subscribe: async (_root, args, ctx) => {
      const { request } = ctx as GraphQLContext & YogaInitialContext;
      let stream: OpenStream;
      try {
        stream = ctx.streams.open(ctx.viewer, request.headers.get("authorization"), request.signal);
      } catch (error) {
        if (!(error instanceof TooManyStreamsError)) throw error;
        throw createGraphQLError(error.message, { extensions: { code: error.code, limit: error.limit, per: error.per } });
      }
      try {
        const afterSequence = args.afterSequence == null ? null : BigInt(Math.max(0, args.afterSequence));
        return asOpenStream(
          await watchWalletEvents(ctx.ledger, ctx.viewer, args.walletId.id, { afterSequence, signal: stream.signal }),
          stream,
        );
      } catch (error) {
        stream.close();
        throw error;
      }
    },
    resolve: (item) => {
      if (item === TOKEN_REFUSED)
        throw new GraphQLError("The token is not valid any more: it was revoked, so this stream ends.", {
          extensions: { code: "FORBIDDEN" },
        });
      return item;
    },
  }),
);
