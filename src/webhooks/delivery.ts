// Sending webhook deliveries: at least once, in order per wallet and endpoint, outside every
// ledger transaction.
//
// A delivery row is written with its event (a trigger, see the migration), so the ledger's only
// cost is that insert. Any gateway then claims due deliveries in one statement, FOR UPDATE SKIP
// LOCKED, with a lease a little longer than the request timeout, and POSTs them with a bounded
// number in flight per process. A delivery is claimable only when no earlier delivery of the same
// wallet to the same endpoint is still pending (resends excepted), so a receiver sees a wallet's
// events in sequence order, each after the one before succeeded or was given up.
//
// What one tenant can take, counted in leases held across all gateways: a tenant's deliveries
// hold at most `inFlightPerTenant` leases (and never all of a process's slots), and one endpoint
// at most half of its tenant's (PER_ENDPOINT_IN_FLIGHT at most). An endpoint whose attempt failed
// backs off as a whole: none of its deliveries is tried until the failed one's retry is due, and
// then one at a time until an attempt succeeds, so a dead receiver holds at most one slot, for at
// most the timeout, between pauses; every other tenant keeps the rest.
//
// The claim reads a bounded number of rows: per endpoint that may send, its CLAIM_WINDOW oldest
// pending deliveries (a partial index on pending rows), each checked for an earlier pending one
// of its wallet by one probe. Its cost grows with endpoints, not with deliveries pending. It runs
// when a commit of this process wrote a delivery, when an attempt ends (a slot is free, and the
// wallet's next delivery may be claimable), and on a poll that first asks whether anything is due.
//
// An attempt that times out, cannot connect or is answered other than 2xx is tried again after
// RETRY_DELAYS_MS (over 27 hours in all); after the last, the delivery is `failed`, the wallet's
// next delivery goes, and the endpoint is marked `failing`. A failing endpoint's deliveries get one
// attempt each (no 27-hour queue behind a dead receiver) until one succeeds, which makes it active
// again; `resendWebhookEvent` sends any event again. A gateway that dies mid-attempt leaves the
// lease to lapse; the delivery is then sent again: receivers de-duplicate by event id.
import { Prisma, type PrismaClient, type WebhookDelivery } from "../db/generated/client.ts";
import { ValidationError, type EventFeed } from "../ledger/index.ts";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature.ts";
import { resolveWebhookTarget, type UrlPolicy } from "./url-policy.ts";
import { webhookBody } from "./event-body.ts";
import { postWebhook, WebhookTimeoutError } from "./post.ts";
import { webhookDeliveries } from "../observability/metrics.ts";
import { log } from "../observability/logger.ts";

/** Waits after the 1st, 2nd, … failed attempt: 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (27 h 36 min in all). */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];
/** Attempts before a delivery is given up. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Leases any one endpoint may hold at once, across gateways (at most half its tenant's). */
export const PER_ENDPOINT_IN_FLIGHT = 4;
/** Leases one tenant's deliveries may hold at once, across gateways, unless WEBHOOK_IN_FLIGHT_PER_TENANT says otherwise. */
export const DEFAULT_IN_FLIGHT_PER_TENANT = 8;
/** Pending deliveries of an endpoint the claim reads, oldest first, to find the next of each wallet. */
export const CLAIM_WINDOW = 32;
/** Events of a wallet, up to the one a commit announced, looked at for a delivery it wrote. */
const COMMITTED_EVENTS_LOOKED_AT = 16;

/**
 * The leases a tenant and one of its endpoints may hold, for a process with `concurrency` slots:
 * a tenant never all of them, an endpoint at most half of its tenant's (rounded up).
 */
export function leaseLimits(options: Pick<WebhookSenderOptions, "concurrency" | "inFlightPerTenant">): {
  perTenant: number;
  perEndpoint: number;
} {
  const perTenant = Math.max(1, Math.min(options.inFlightPerTenant ?? DEFAULT_IN_FLIGHT_PER_TENANT, options.concurrency - 1));
  return { perTenant, perEndpoint: Math.min(PER_ENDPOINT_IN_FLIGHT, Math.ceil(perTenant / 2)) };
}

export interface WebhookSenderOptions extends UrlPolicy {
  prisma: PrismaClient;
  /** The clock due times and leases are judged by (tests move it by hand). */
  now(): Date;
  /** An attempt with no answer by then counts as failed. */
  timeoutMs: number;
  /** Attempts this process makes at once. */
  concurrency: number;
  /** Leases one tenant may hold at once across gateways; DEFAULT_IN_FLIGHT_PER_TENANT unless given. */
  inFlightPerTenant?: number;
}

type Claimed = Pick<
  WebhookDelivery,
  "id" | "eventId" | "endpointId" | "walletId" | "sequence" | "resend" | "attempts" | "nextAttemptAt"
> & {
  url: string;
  secret: string;
  endpointFailing: boolean;
};

/**
 * Claims up to `limit` due deliveries for this process and leases them. Each claim counts as an
 * attempt, so one cut short by a crash still counts towards giving up.
 */
export async function claimDueDeliveries(options: WebhookSenderOptions, limit: number): Promise<Claimed[]> {
  return options.prisma.$queryRaw<Claimed[]>(claimStatement(options, limit));
}

/** The statement `claimDueDeliveries` runs (exported so that its plan can be looked at). */
export function claimStatement(options: WebhookSenderOptions, limit: number): Prisma.Sql {
  const now = options.now();
  const leaseUntil = new Date(now.getTime() + options.timeoutMs + 30_000);
  const { perTenant, perEndpoint } = leaseLimits(options);
  // Leases held now, per endpoint and per tenant; the endpoints that may send (not backing off,
  // room under both limits; one at a time after a failure); for each, the oldest due deliveries
  // next in their wallet's order among its CLAIM_WINDOW oldest pending ones; then, tenant by
  // tenant in turn, no more than the tenant's room; then locked, skipping rows another gateway
  // is claiming right now.
  return Prisma.sql`
    WITH leases AS (
      SELECT l.endpoint_id, count(*)::int AS held
      FROM webhook_delivery l
      WHERE l.status = 'pending' AND l.locked_until IS NOT NULL AND l.locked_until > ${now}
      GROUP BY l.endpoint_id),
    tenant_leases AS (
      SELECT e.tenant_id, sum(l.held)::int AS held FROM leases l JOIN webhook_endpoint e ON e.id = l.endpoint_id GROUP BY e.tenant_id),
    senders AS (
      SELECT e.id, e.tenant_id,
             (CASE WHEN e.failures_in_a_row > 0 THEN 1 ELSE ${perEndpoint}::int END) - COALESCE(l.held, 0) AS room,
             ${perTenant}::int - COALESCE(t.held, 0) AS tenant_room
      FROM webhook_endpoint e
      LEFT JOIN leases l ON l.endpoint_id = e.id
      LEFT JOIN tenant_leases t ON t.tenant_id = e.tenant_id
      WHERE e.retry_at IS NULL OR e.retry_at <= ${now}),
    candidates AS (
      SELECT c.id, c.created_at, c.sequence, s.tenant_id, s.tenant_room
      FROM senders s
      CROSS JOIN LATERAL (
        SELECT w.id, w.created_at, w.sequence
        FROM (SELECT d.id, d.wallet_id, d.sequence, d.resend, d.created_at, d.next_attempt_at, d.locked_until
              FROM webhook_delivery d
              WHERE d.endpoint_id = s.id AND d.status = 'pending'
              ORDER BY d.created_at, d.sequence
              LIMIT ${CLAIM_WINDOW}) w
        WHERE w.next_attempt_at <= ${now} AND (w.locked_until IS NULL OR w.locked_until <= ${now})
          AND (w.resend OR NOT EXISTS (
                SELECT 1 FROM webhook_delivery p
                WHERE p.endpoint_id = s.id AND p.wallet_id = w.wallet_id AND p.status = 'pending' AND NOT p.resend AND p.sequence < w.sequence))
        ORDER BY w.created_at, w.sequence
        LIMIT s.room) c
      WHERE s.room > 0 AND s.tenant_room > 0),
    picked AS (
      SELECT ranked.id FROM (
        SELECT c.id, c.created_at, c.sequence, c.tenant_room,
               row_number() OVER (PARTITION BY c.tenant_id ORDER BY c.created_at, c.sequence) AS nth
        FROM candidates c) ranked
      WHERE ranked.nth <= ranked.tenant_room
      ORDER BY ranked.nth, ranked.created_at, ranked.sequence
      LIMIT ${limit}),
    claimed AS (
      UPDATE webhook_delivery d SET locked_until = ${leaseUntil}, attempts = d.attempts + 1, updated_at = ${now}
      WHERE d.id IN (
        SELECT w.id FROM webhook_delivery w
        WHERE w.id IN (SELECT id FROM picked)
          AND w.status = 'pending' AND (w.locked_until IS NULL OR w.locked_until <= ${now})
        FOR UPDATE SKIP LOCKED)
      RETURNING d.*)
    SELECT claimed.id::text AS id, claimed.event_id::text AS "eventId", claimed.endpoint_id::text AS "endpointId",
           claimed.wallet_id::text AS "walletId", claimed.sequence, claimed.resend,
           claimed.attempts, claimed.next_attempt_at AS "nextAttemptAt", e.url, e.secret, e.status = 'failing' AS "endpointFailing"
    FROM claimed JOIN webhook_endpoint e ON e.id = claimed.endpoint_id`;
}

/**
 * What a poll asks before it claims: whether any endpoint that may send has a delivery due and
 * not leased (it may answer yes for deliveries waiting on their wallet's order, never no when
 * one is claimable), and whether the database has any endpoint at all (none: commits are not
 * looked at for deliveries until a poll finds one).
 */
export async function deliveryOutlook(options: WebhookSenderOptions): Promise<{ due: boolean; endpoints: boolean }> {
  const now = options.now();
  const [row] = await options.prisma.$queryRaw<{ due: boolean; endpoints: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM webhook_endpoint) AS endpoints,
           EXISTS (
             SELECT 1 FROM webhook_endpoint e
             WHERE (e.retry_at IS NULL OR e.retry_at <= ${now})
               AND EXISTS (SELECT 1 FROM webhook_delivery d
                           WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= ${now}
                             AND (d.locked_until IS NULL OR d.locked_until <= ${now}))) AS due`;
  return { due: row?.due ?? false, endpoints: row?.endpoints ?? false };
}

/**
 * Whether the latest events of these wallets (up to each sequence, the last
 * COMMITTED_EVENTS_LOOKED_AT of them) have a delivery pending: whether a commit wrote one.
 */
export async function committedDeliveriesPending(prisma: PrismaClient, latest: ReadonlyMap<string, bigint>): Promise<boolean> {
  const walletIds = [...latest.keys()];
  const sequences = walletIds.map((walletId) => latest.get(walletId)!.toString());
  const [row] = await prisma.$queryRaw<{ pending: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM unnest(${walletIds}::uuid[], ${sequences}::bigint[]) AS c(wallet_id, sequence)
      JOIN event e ON e.wallet_id = c.wallet_id AND e.sequence <= c.sequence AND e.sequence > c.sequence - ${COMMITTED_EVENTS_LOOKED_AT}
      JOIN webhook_delivery d ON d.event_id = e.id AND d.status = 'pending') AS pending`;
  return row?.pending ?? false;
}

export interface AttemptOutcome {
  ok: boolean;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
}

/** POSTs one delivery, signed, to the address its URL was checked at; never throws (every failure is an outcome). */
export async function attemptDelivery(options: WebhookSenderOptions, delivery: Claimed): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const target = await resolveWebhookTarget(delivery.url, options);
    const event = await options.prisma.event.findUniqueOrThrow({ where: { id: delivery.eventId } });
    const body = webhookBody(event);
    const { status } = await postWebhook({
      target,
      headers: {
        "content-type": "application/json",
        "user-agent": "BillingGateway-Webhooks/1",
        // Signed with the real clock, whatever the scheduling clock says: receivers check it against theirs.
        [SIGNATURE_HEADER]: signatureHeader(delivery.secret, body, new Date()),
        [EVENT_ID_HEADER]: event.id,
      },
      body,
      timeoutMs: options.timeoutMs,
    });
    // The status only: what the receiver wrote is not kept, nor shown to the tenant.
    const ok = status >= 200 && status < 300;
    return { ok, responseStatus: status, durationMs: elapsed(), error: ok ? null : `answered ${status}` };
  } catch (error) {
    return { ok: false, responseStatus: null, durationMs: elapsed(), error: failureText(error, options.timeoutMs) };
  }
}

/** What an attempt with no answer records: the timeout, the policy's refusal, or the connection's error code. */
function failureText(error: unknown, timeoutMs: number): string {
  if (error instanceof WebhookTimeoutError) return `no answer within ${timeoutMs} ms`;
  if (error instanceof ValidationError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `could not connect (${code})` : "could not connect";
}

/**
 * Records an attempt's outcome, schedules the next one or gives up, and marks the endpoint: a
 * success ends its backoff; a failure makes it wait as long as the failed delivery does (not at
 * all when that delivery is given up, so its wallet's next one goes) and then try one at a time.
 */
export async function recordAttempt(options: WebhookSenderOptions, delivery: Claimed, outcome: AttemptOutcome): Promise<void> {
  const now = options.now();
  const { prisma } = options;
  const mine = { id: delivery.id, status: "pending" as const, attempts: delivery.attempts };
  const figures = {
    responseStatus: outcome.responseStatus,
    durationMs: outcome.durationMs,
    lastError: outcome.error,
    lockedUntil: null,
    updatedAt: now,
  };
  if (outcome.ok) {
    webhookDeliveries.inc({ outcome: "delivered" });
    await prisma.$transaction([
      prisma.webhookDelivery.updateMany({ where: mine, data: { ...figures, status: "succeeded", deliveredAt: now } }),
      // Written only when there is something to end: a healthy endpoint's row is left alone.
      prisma.webhookEndpoint.updateMany({
        where: { id: delivery.endpointId, OR: [{ status: "failing" }, { failuresInARow: { gt: 0 } }, { retryAt: { not: null } }] },
        data: { status: "active", failuresInARow: 0, retryAt: null, updatedAt: now },
      }),
    ]);
    return;
  }
  // A failing endpoint's deliveries, and resends, get the one attempt; others the whole schedule.
  const givesUp = delivery.endpointFailing || delivery.resend || delivery.attempts >= MAX_ATTEMPTS;
  webhookDeliveries.inc({ outcome: givesUp ? "abandoned" : "failed" });
  const backOff = { failuresInARow: { increment: 1 }, updatedAt: now };
  if (!givesUp) {
    const retryAt = new Date(now.getTime() + RETRY_DELAYS_MS[Math.min(delivery.attempts - 1, RETRY_DELAYS_MS.length - 1)]!);
    await prisma.$transaction([
      prisma.webhookDelivery.updateMany({ where: mine, data: { ...figures, nextAttemptAt: retryAt } }),
      prisma.webhookEndpoint.updateMany({ where: { id: delivery.endpointId }, data: { ...backOff, retryAt } }),
    ]);
    return;
  }
  await prisma.$transaction([
    prisma.webhookDelivery.updateMany({ where: mine, data: { ...figures, status: "failed" } }),
    prisma.webhookEndpoint.updateMany({
      where: { id: delivery.endpointId },
      data: delivery.resend ? backOff : { ...backOff, status: "failing" },
    }),
  ]);
}

/**
 * Sends every delivery due now, `concurrency` at a time, until none is left to claim; returns how
 * many attempts were made. For tests (with a clock moved by hand) and for the sender's loop.
 */
export async function deliverDueWebhooksOnce(options: WebhookSenderOptions): Promise<number> {
  let attempts = 0;
  for (;;) {
    const claimed = await claimDueDeliveries(options, options.concurrency);
    if (claimed.length === 0) return attempts;
    attempts += claimed.length;
    await Promise.all(claimed.map(async (delivery) => recordAttempt(options, delivery, await attemptDelivery(options, delivery))));
  }
}

export interface WebhookSender {
  /** A commit of this process wrote events up to `sequence` for the wallet: claims at once if it wrote a delivery. */
  committed(walletId: string, sequence: bigint): void;
  /** Stops claiming and resolves once the attempts in flight have been recorded. */
  stop(): Promise<void>;
}

/**
 * Keeps up to `concurrency` attempts in flight: claims as slots free up, after a commit here that
 * wrote a delivery, and every `pollMs` when something is due. An attempt's slot is freed when it
 * ends, so a slow receiver holds one slot for at most the timeout and never the others.
 */
export function startWebhookSender(options: WebhookSenderOptions & { pollMs: number }): WebhookSender {
  let stopped = false;
  let inFlight = 0;
  let claiming = false;
  let again = false;
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | null = null;
  // Commits announced and not yet looked at, by wallet: their latest sequence. At most one look at a time.
  let announced = new Map<string, bigint>();
  let looking = false;

  const fill = async () => {
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    try {
      do {
        again = false;
        const free = options.concurrency - inFlight;
        if (stopped || free <= 0) break;
        const claimed = await claimDueDeliveries(options, free);
        for (const delivery of claimed) {
          inFlight += 1;
          const attempt = attemptDelivery(options, delivery)
            .then((outcome) => recordAttempt(options, delivery, outcome))
            .catch((error: unknown) =>
              log().error(
                { err: error },
                `webhook delivery ${delivery.id}: its attempt could not be recorded; it is sent again when its lease lapses`,
              ),
            )
            .finally(() => {
              inFlight -= 1;
              running.delete(attempt);
              // A freed slot, and perhaps the wallet's next event now claimable.
              if (!stopped) void fill();
            });
          running.add(attempt);
        }
        if (claimed.length === free) again = true;
      } while (again && !stopped);
    } catch (error) {
      log().error({ err: error }, "webhook deliveries could not be claimed; trying again shortly");
    } finally {
      claiming = false;
    }
  };
  // Until a poll finds an endpoint in the database, a commit cannot have written a delivery.
  let endpointsExist = true;
  const lookAtCommits = async () => {
    if (looking) return;
    if (!endpointsExist) {
      announced.clear();
      return;
    }
    looking = true;
    try {
      while (announced.size > 0 && !stopped) {
        const batch = announced;
        announced = new Map();
        if (await committedDeliveriesPending(options.prisma, batch)) await fill();
      }
    } catch (error) {
      log().error({ err: error }, "webhook deliveries of a commit could not be looked for; the next poll finds them");
    } finally {
      looking = false;
    }
    // Announced while the last look was ending.
    if (announced.size > 0 && !stopped) void lookAtCommits();
  };
  const poll = async () => {
    try {
      const outlook = await deliveryOutlook(options);
      endpointsExist = outlook.endpoints;
      if (outlook.due) await fill();
    } catch (error) {
      log().error({ err: error }, "webhook deliveries could not be looked for; trying again shortly");
    }
  };
  const tick = () => {
    void poll().finally(() => {
      if (!stopped) timer = setTimeout(tick, options.pollMs);
    });
  };
  timer = setTimeout(tick, 0);
  return {
    committed(walletId, sequence) {
      if (stopped) return;
      const known = announced.get(walletId);
      if (known === undefined || sequence > known) announced.set(walletId, sequence);
      void lookAtCommits();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running.size > 0 || claiming || looking) await Promise.race([...running, new Promise((resolve) => setTimeout(resolve, 10))]);
    },
  };
}

/** The feed, also telling this process's sender of every commit here: no wait for a poll. */
export function wakingSender(feed: EventFeed, sender: WebhookSender): EventFeed {
  return {
    ...feed,
    publish(walletId, sequence) {
      feed.publish(walletId, sequence);
      sender.committed(walletId, sequence);
    },
  };
}
