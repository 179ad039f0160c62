// What GET /metrics shows, in Prometheus' text format (prom-client). Every metric is defined here,
// with its labels, so there is one list to read; each is fed from one place: HTTP from app.ts,
// GraphQL from a Yoga plugin (graphql/metrics-plugin.ts), ledger operations from LedgerContext's
// onOperation, Stripe calls from the SDK's response events, database pools on each scrape.
// Labels take bounded values only, never ids, so that no client can grow /metrics (each series is
// written on every scrape, and kept by Prometheus):
// - method: the HTTP methods, else "other" (bounded-label.ts); Stripe's are the SDK's few;
// - route: the gateway's route patterns and "(unmatched)", a list fixed in code (app.ts);
// - status: three digits (a Response's status is 200–599);
// - operation: a client's operation names, at most 200 of at most 100 characters, then "(long)"
//   or "other" (graphql/metrics-plugin.ts); type: query, mutation, subscription, unknown;
// - outcome: a few words, or a ledger error's code, a list fixed in code;
// - path (Stripe): the SDK's paths with ids replaced by {id}, at most 100 of at most 100 characters;
// - pool, state: primary or replica; total, idle, waiting.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type Stripe from "stripe";
import type { Database } from "../db/database.ts";
import { boundedLabel } from "./bounded-label.ts";

export const registry = new Registry();
// Process CPU and memory, garbage collection, and the event loop's lag (nodejs_eventloop_lag_*).
collectDefaultMetrics({ register: registry });

export const httpRequests = new Counter({
  name: "http_requests_total",
  help: "HTTP requests answered, by method, route pattern and status.",
  labelNames: ["method", "route", "status"] as const,
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: "http_request_duration_seconds",
  help: "Time to answer an HTTP request (until the response starts), by method, route pattern and status.",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const httpRequestsInFlight = new Gauge({
  name: "http_requests_in_flight",
  help: "HTTP requests being answered now.",
  registers: [registry],
});

export const graphqlOperations = new Counter({
  name: "graphql_operations_total",
  help: "GraphQL operations run, by operation name (anonymous when unnamed), type and outcome (ok, error: the answer carries errors).",
  labelNames: ["operation", "type", "outcome"] as const,
  registers: [registry],
});

export const ledgerOperations = new Counter({
  name: "ledger_operations_total",
  help: "Ledger commands, by operation type and outcome (committed, replayed, or the refusal's error code, e.g. INSUFFICIENT_CREDITS; failed for anything else).",
  labelNames: ["type", "outcome"] as const,
  registers: [registry],
});

export const ledgerDebitStatements = new Histogram({
  name: "ledger_debit_statement_debits",
  help: "Debits per statement a process sent (src/ledger/debit-batches.ts), by outcome (answered; refused by the database, its debits then sent one by one; connection_failed).",
  labelNames: ["outcome"] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 128],
  registers: [registry],
});

export const stripeCalls = new Counter({
  name: "stripe_calls_total",
  help: "Requests to Stripe that got an answer, by method, path pattern and HTTP status.",
  labelNames: ["method", "path", "status"] as const,
  registers: [registry],
});

export const stripeCallDuration = new Histogram({
  name: "stripe_call_duration_seconds",
  help: "Time Stripe took to answer, by method and path pattern.",
  labelNames: ["method", "path"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  registers: [registry],
});

/** Deliveries of the gateway's own webhooks to subscribers: outcome delivered, failed (will retry) or abandoned. */
export const webhookDeliveries = new Counter({
  name: "webhook_deliveries_total",
  help: "Webhook deliveries to subscribers, by outcome.",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

// Held weakly: a database (and its pools) that nothing else holds any more is not kept alive by
// /metrics, and drops out of it, as when a process builds and drops several apps in turn.
const databasesWatched = new Set<WeakRef<Database>>();

new Gauge({
  name: "db_pool_connections",
  help: "Connections of each PostgreSQL pool (primary, replica) by state: total open, idle, and queries waiting for one.",
  labelNames: ["pool", "state"] as const,
  registers: [registry],
  // Read on every scrape: the pools know their figures.
  collect() {
    this.reset();
    for (const watched of databasesWatched) {
      const db = watched.deref();
      if (!db) {
        databasesWatched.delete(watched);
        continue;
      }
      for (const pool of db.connectionPools?.() ?? []) {
        this.set({ pool: pool.name, state: "total" }, pool.total);
        this.set({ pool: pool.name, state: "idle" }, pool.idle);
        this.set({ pool: pool.name, state: "waiting" }, pool.waiting);
      }
    }
  },
});

/** Shows the database's pools on /metrics (PGlite has none). */
export function watchDatabasePools(db: Database): void {
  for (const watched of databasesWatched) if (watched.deref() === db) return;
  databasesWatched.add(new WeakRef(db));
}

/** Counts an answered HTTP request and its duration, under the same labels. */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  const labels = { method, route, status: String(status) };
  httpRequests.inc(labels);
  httpRequestDuration.observe(labels, seconds);
}

/** For LedgerContext.onOperation. */
export function observeLedgerOperation(type: string, outcome: string): void {
  ledgerOperations.inc({ type, outcome });
}

/** For DebitBatches: every debit statement sent, with the debits it carried. */
export function observeDebitStatement(debits: number, outcome: string): void {
  ledgerDebitStatements.observe({ outcome }, debits);
}

/** Counts every Stripe request the SDK makes, with the ids in its path replaced by `{id}`. */
export function observeStripe(stripe: Stripe): void {
  // The patterns are the SDK's calls that the gateway makes, a few; bounded all the same, since an
  // id of a shape the pattern misses would otherwise be a series each.
  const pathLabel = boundedLabel({ most: 100, longest: 100 });
  stripe.on("response", (event: Stripe.ResponseEvent) => {
    const path = pathLabel(event.path.split("?")[0]!.replace(/\/[a-z]{2,6}_[A-Za-z0-9]+(?=\/|$)/g, "/{id}"));
    stripeCalls.inc({ method: event.method, path, status: String(event.status) });
    stripeCallDuration.observe({ method: event.method, path }, event.elapsed / 1000);
  });
}
