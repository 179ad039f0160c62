// Sending webhook deliveries: at least once, in order per wallet and endpoint, outside every
// ledger transaction.
//
// A delivery row is written with its event (a trigger, see the migration), so the ledger's only
// cost is that insert. Any gateway then claims due deliveries in one statement, FOR UPDATE SKIP
// LOCKED, with a lease a little longer than the request timeout, and POSTs them with a bounded
// number in flight per process. A delivery is claimable only when no earlier delivery of the same
// wallet to the same endpoint is still pending (resends excepted), so a receiver sees a wallet's
// events in sequence order, each after the one before succeeded or was given up. No endpoint may
// hold more than PER_ENDPOINT_IN_FLIGHT leases at once, across all gateways, nor half a process's
// slots, so a slow or dead endpoint takes a few slots and every other endpoint keeps the rest.
//
// An attempt that times out, cannot connect or is answered other than 2xx is tried again after
// RETRY_DELAYS_MS (over 27 hours in all); after the last, the delivery is `failed`, the wallet's
// next delivery goes, and the endpoint is marked `failing`. A failing endpoint's deliveries get one
// attempt each (no 27-hour queue behind a dead receiver) until one succeeds, which makes it active
// again; `resendWebhookEvent` sends any event again. A gateway that dies mid-attempt leaves the
// lease to lapse; the delivery is then sent again: receivers de-duplicate by event id.
import type { PrismaClient, WebhookDelivery } from "../db/generated/client.ts";
import type { EventFeed } from "../ledger/event-feed.ts";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature.ts";
import { checkWebhookUrl, type UrlPolicy } from "./url-policy.ts";
import { webhookBody } from "./event-body.ts";
import { webhookDeliveries } from "../observability/metrics.ts";

/** Waits after the 1st, 2nd, … failed attempt: 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (27 h 36 min in all). */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];
/** Attempts before a delivery is given up. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Leases any one endpoint may hold at once, across gateways (at most half a process's slots). */
export const PER_ENDPOINT_IN_FLIGHT = 4;

function perEndpointLimit(concurrency: number): number {
  return Math.max(1, Math.min(PER_ENDPOINT_IN_FLIGHT, Math.floor(concurrency / 2)));
}
/** What of a failing answer is kept as its error. */
const ERROR_BODY_CHARS = 200;

export interface WebhookSenderOptions extends UrlPolicy {
  prisma: PrismaClient;
  /** The clock due times and leases are judged by (tests move it by hand). */
  now(): Date;
  /** An attempt with no complete answer by then counts as failed. */
  timeoutMs: number;
  /** Attempts this process makes at once. */
  concurrency: number;
}

type Claimed = Pick<WebhookDelivery, "id" | "eventId" | "endpointId" | "walletId" | "sequence" | "resend" | "attempts" | "nextAttemptAt"> & {
  url: string;
  secret: string;
  endpointFailing: boolean;
};

/**
 * Claims up to `limit` due deliveries for this process and leases them. Each claim counts as an
 * attempt, so one cut short by a crash still counts towards giving up.
 */
export async function claimDueDeliveries(options: WebhookSenderOptions, limit: number): Promise<Claimed[]> {
  const now = options.now();
  const leaseUntil = new Date(now.getTime() + options.timeoutMs + 30_000);
  // Due and next in its wallet's order, ranked per endpoint so that no endpoint gets more than
  // its share of leases; then locked, skipping rows another gateway is claiming right now.
  return options.prisma.$queryRaw<Claimed[]>`
    WITH claimed AS (
      UPDATE webhook_delivery d SET locked_until = ${leaseUntil}, attempts = d.attempts + 1, updated_at = ${now}
      WHERE d.id IN (
        SELECT w.id FROM webhook_delivery w
        WHERE w.id IN (
            SELECT ranked.id FROM (
              SELECT c.id, c.next_attempt_at, c.sequence,
                     row_number() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.sequence) AS nth,
                     (SELECT count(*) FROM webhook_delivery b
                      WHERE b.endpoint_id = c.endpoint_id AND b.status = 'pending' AND b.locked_until > ${now}) AS busy
              FROM webhook_delivery c
              WHERE c.status = 'pending' AND c.next_attempt_at <= ${now} AND (c.locked_until IS NULL OR c.locked_until <= ${now})
                AND (c.resend OR NOT EXISTS (
                      SELECT 1 FROM webhook_delivery p
                      WHERE p.endpoint_id = c.endpoint_id AND p.wallet_id = c.wallet_id AND p.status = 'pending'
                        AND NOT p.resend AND p.sequence < c.sequence))) ranked
            WHERE ranked.nth + ranked.busy <= ${perEndpointLimit(options.concurrency)}
            ORDER BY ranked.next_attempt_at, ranked.sequence
            LIMIT ${limit})
          AND w.status = 'pending' AND (w.locked_until IS NULL OR w.locked_until <= ${now})
        FOR UPDATE SKIP LOCKED)
      RETURNING d.*)
    SELECT claimed.id::text AS id, claimed.event_id::text AS "eventId", claimed.endpoint_id::text AS "endpointId",
           claimed.wallet_id::text AS "walletId", claimed.sequence, claimed.resend,
           claimed.attempts, claimed.next_attempt_at AS "nextAttemptAt", e.url, e.secret, e.status = 'failing' AS "endpointFailing"
    FROM claimed JOIN webhook_endpoint e ON e.id = claimed.endpoint_id`;
}

export interface AttemptOutcome {
  ok: boolean;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
}

/** POSTs one delivery, signed; never throws (every failure is an outcome). */
export async function attemptDelivery(options: WebhookSenderOptions, delivery: Claimed): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const url = await checkWebhookUrl(delivery.url, options);
    const event = await options.prisma.event.findUniqueOrThrow({ where: { id: delivery.eventId } });
    const body = webhookBody(event);
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "BillingGateway-Webhooks/1",
        // Signed with the real clock, whatever the scheduling clock says: receivers check it against theirs.
        [SIGNATURE_HEADER]: signatureHeader(delivery.secret, body, new Date()),
        [EVENT_ID_HEADER]: event.id,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) return { ok: true, responseStatus: response.status, durationMs: elapsed(), error: null };
    return { ok: false, responseStatus: response.status, durationMs: elapsed(), error: `answered ${response.status}${text ? `: ${text.slice(0, ERROR_BODY_CHARS)}` : ""}` };
  } catch (error) {
    const failure = error as Error;
    const timedOut = failure.name === "TimeoutError" || failure.name === "AbortError";
    const cause = (failure.cause as Error | undefined)?.message;
    return { ok: false, responseStatus: null, durationMs: elapsed(), error: timedOut ? `no answer within ${options.timeoutMs} ms` : cause ?? failure.message };
  }
}

/** Records an attempt's outcome, schedules the next one or gives up, and marks the endpoint. */
export async function recordAttempt(options: WebhookSenderOptions, delivery: Claimed, outcome: AttemptOutcome): Promise<void> {
  const now = options.now();
  const { prisma } = options;
  const mine = { id: delivery.id, status: "pending" as const, attempts: delivery.attempts };
  const figures = { responseStatus: outcome.responseStatus, durationMs: outcome.durationMs, lastError: outcome.error, lockedUntil: null, updatedAt: now };
  if (outcome.ok) {
    webhookDeliveries.inc({ outcome: "delivered" });
    await prisma.$transaction([
      prisma.webhookDelivery.updateMany({ where: mine, data: { ...figures, status: "succeeded", deliveredAt: now } }),
      prisma.webhookEndpoint.updateMany({ where: { id: delivery.endpointId, status: "failing" }, data: { status: "active", updatedAt: now } }),
    ]);
    return;
  }
  // A failing endpoint's deliveries, and resends, get the one attempt; others the whole schedule.
  const givesUp = delivery.endpointFailing || delivery.resend || delivery.attempts >= MAX_ATTEMPTS;
  webhookDeliveries.inc({ outcome: givesUp ? "abandoned" : "failed" });
  if (!givesUp) {
    const wait = RETRY_DELAYS_MS[Math.min(delivery.attempts - 1, RETRY_DELAYS_MS.length - 1)]!;
    await prisma.webhookDelivery.updateMany({ where: mine, data: { ...figures, nextAttemptAt: new Date(now.getTime() + wait) } });
    return;
  }
  await prisma.$transaction([
    prisma.webhookDelivery.updateMany({ where: mine, data: { ...figures, status: "failed" } }),
    ...(delivery.resend ? [] : [prisma.webhookEndpoint.updateMany({ where: { id: delivery.endpointId, status: "active" }, data: { status: "failing", updatedAt: now } })]),
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
  /** Looks for due deliveries now (e.g. after this process committed an event). */
  poke(): void;
  /** Stops claiming and resolves once the attempts in flight have been recorded. */
  stop(): Promise<void>;
}

/**
 * Keeps up to `concurrency` attempts in flight: claims as slots free up, and looks again every
 * `pollMs`, or at once when poked. An attempt's slot is freed when it ends, so a slow receiver
 * holds one slot for at most the timeout and never the others.
 */
export function startWebhookSender(options: WebhookSenderOptions & { pollMs: number }): WebhookSender {
  let stopped = false;
  let inFlight = 0;
  let claiming = false;
  let again = false;
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | null = null;

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
            .catch((error: unknown) => console.error(`webhook delivery ${delivery.id}: its attempt could not be recorded; it is sent again when its lease lapses`, error))
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
      console.error("webhook deliveries could not be claimed; trying again shortly", error);
    } finally {
      claiming = false;
    }
  };
  const tick = () => {
    void fill().finally(() => {
      if (!stopped) timer = setTimeout(tick, options.pollMs);
    });
  };
  timer = setTimeout(tick, 0);
  return {
    poke() {
      if (!stopped) void fill();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running.size > 0 || claiming) await Promise.race([...running, new Promise((resolve) => setTimeout(resolve, 10))]);
    },
  };
}

/** The feed, also waking this process's sender with every event committed here: no wait for a poll. */
export function wakingSender(feed: EventFeed, sender: WebhookSender): EventFeed {
  return {
    ...feed,
    publish(walletId, sequence) {
      feed.publish(walletId, sequence);
      sender.poke();
    },
  };
}
