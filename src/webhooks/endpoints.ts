// Managing a tenant's webhook endpoints, for admin tokens only (the `webhooks` permission). An
// endpoint belongs to its tenant and mode: a test-mode token's endpoints receive test events only,
// and no token sees or changes another mode's or tenant's endpoints (they are not found).
// The signing secret is answered once, on creation; it is kept, since every delivery is signed
// with it. Creation takes no idempotency key, as for API tokens: a retried creation makes a
// second endpoint, which can be deleted. A tenant has at most `endpointsPerTenant` endpoints in
// each mode (WEBHOOK_ENDPOINTS_PER_TENANT): every event is written once per endpoint that takes it.
import type { Prisma, PrismaClient, WebhookEndpoint } from "../db/generated/client.ts";
import {
  EVENT_TYPES,
  LimitExceededError,
  NotFoundError,
  ValidationError,
  allows,
  authorize,
  requireId,
  validText,
  type Scope,
} from "../ledger/index.ts";
import { newSigningSecret } from "./signature.ts";
import { checkWebhookUrl, type UrlPolicy } from "./url-policy.ts";

/** Endpoints a tenant may have in each mode, unless WEBHOOK_ENDPOINTS_PER_TENANT says otherwise. */
export const DEFAULT_ENDPOINTS_PER_TENANT = 16;

/** What endpoints a tenant may have: where they point, and how many (the gateway passes its WebhookConfig). */
export interface WebhookEndpointPolicy extends UrlPolicy {
  /** DEFAULT_ENDPOINTS_PER_TENANT unless given. */
  endpointsPerTenant?: number;
}

export interface WebhookContext {
  prisma: PrismaClient;
  now(): Date;
  urlPolicy: WebhookEndpointPolicy;
}

/** Every event type. */
export const ALL_EVENT_TYPES = "*";

export interface WebhookEndpointInput {
  url: string;
  /** Event types to deliver (EVENT_TYPES), or `*` for all. */
  eventTypes: readonly string[];
  description?: string | null;
}

/** The endpoints a scope may see, as a Prisma filter: none without the `webhooks` permission. */
export function webhookEndpointsVisibleTo(scope: Scope): Prisma.WebhookEndpointWhereInput {
  if (!allows(scope, "webhooks")) return { id: { in: [] } };
  return { tenantId: scope.tenantId, livemode: scope.livemode };
}

/** The filter for listing a scope's endpoints. Fails with ForbiddenError for a token that is not an admin's. */
export function webhookEndpointListFilter(scope: Scope): Prisma.WebhookEndpointWhereInput {
  authorize(scope, "webhooks");
  return webhookEndpointsVisibleTo(scope);
}

function validEventTypes(types: readonly string[]): string[] {
  const unique = [...new Set(types.map((type) => type.trim()))];
  if (unique.length === 0)
    throw new ValidationError("eventTypes must name at least one event type, or *", [
      { path: ["eventTypes"], message: "must not be empty" },
    ]);
  const unknown = unique.filter((type) => type !== ALL_EVENT_TYPES && !(EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0) {
    throw new ValidationError(`eventTypes: unknown event type ${unknown.join(", ")}; known: ${EVENT_TYPES.join(", ")}, or * for all`, [
      { path: ["eventTypes"], message: `unknown: ${unknown.join(", ")}` },
    ]);
  }
  return unique.includes(ALL_EVENT_TYPES) ? [ALL_EVENT_TYPES] : unique;
}

/**
 * Creates an endpoint in the scope's tenant and mode; answers it with its signing secret (shown
 * only now). Events written from now on that match its types are delivered to it.
 * Fails with ForbiddenError (not an admin token), ValidationError (URL refused by the policy,
 * unknown or no event types, description too long) and LimitExceededError (the tenant has as
 * many endpoints in this mode as it may).
 */
export async function createWebhookEndpoint(
  ctx: WebhookContext,
  scope: Scope,
  input: WebhookEndpointInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  authorize(scope, "webhooks");
  const eventTypes = validEventTypes(input.eventTypes);
  const description = validText(input.description, "description", 500);
  const url = await checkWebhookUrl(input.url, ctx.urlPolicy);
  const secret = newSigningSecret();
  const now = ctx.now();
  const limit = ctx.urlPolicy.endpointsPerTenant ?? DEFAULT_ENDPOINTS_PER_TENANT;
  const endpoint = await ctx.prisma.$transaction(async (tx) => {
    // Counted and created under a lock of the tenant's mode, so that creations at the same moment
    // cannot pass the limit together.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('webhook_endpoint:' || ${scope.tenantId} || ':' || ${String(scope.livemode)}))`;
    const count = await tx.webhookEndpoint.count({ where: { tenantId: scope.tenantId, livemode: scope.livemode } });
    if (count >= limit) {
      throw new LimitExceededError(
        "webhook endpoints per tenant and mode",
        limit,
        `a tenant may have at most ${limit} webhook endpoints in each mode: delete one to create another`,
      );
    }
    return tx.webhookEndpoint.create({
      data: { tenantId: scope.tenantId, livemode: scope.livemode, url, eventTypes, description, secret, createdAt: now, updatedAt: now },
    });
  });
  return { endpoint, secret };
}

async function findEndpoint(ctx: WebhookContext, scope: Scope, id: string): Promise<WebhookEndpoint> {
  authorize(scope, "webhooks");
  requireId(id, "WebhookEndpoint");
  const endpoint = await ctx.prisma.webhookEndpoint.findFirst({ where: { id, ...webhookEndpointsVisibleTo(scope) } });
  if (!endpoint) throw new NotFoundError("WebhookEndpoint", id);
  return endpoint;
}

/**
 * Changes what is given (url, event types, description). Deliveries already created keep going
 * to the endpoint, at its new URL. Fails with ForbiddenError, NotFoundError and ValidationError.
 */
export async function updateWebhookEndpoint(
  ctx: WebhookContext,
  scope: Scope,
  id: string,
  input: Partial<WebhookEndpointInput>,
): Promise<WebhookEndpoint> {
  const endpoint = await findEndpoint(ctx, scope, id);
  const data: Prisma.WebhookEndpointUpdateInput = { updatedAt: ctx.now() };
  if (input.eventTypes != null) data.eventTypes = validEventTypes(input.eventTypes);
  if (input.description !== undefined) data.description = validText(input.description, "description", 500);
  if (input.url != null) data.url = await checkWebhookUrl(input.url, ctx.urlPolicy);
  return ctx.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data });
}

/**
 * Deletes the endpoint and its deliveries: nothing more is sent to it, including deliveries
 * pending a retry. Fails with ForbiddenError and NotFoundError.
 */
export async function deleteWebhookEndpoint(ctx: WebhookContext, scope: Scope, id: string): Promise<WebhookEndpoint> {
  const endpoint = await findEndpoint(ctx, scope, id);
  await ctx.prisma.webhookEndpoint.deleteMany({ where: { id: endpoint.id } });
  return endpoint;
}

/**
 * Sends an event to an endpoint once more, as a new delivery with one attempt, outside its
 * wallet's order (the receiver asked for it). The event must be the endpoint's tenant's and mode's;
 * its type need not be among the endpoint's. Fails with ForbiddenError and NotFoundError.
 */
export async function resendWebhookEvent(ctx: WebhookContext, scope: Scope, input: { eventId: string; endpointId: string }) {
  const endpoint = await findEndpoint(ctx, scope, input.endpointId);
  requireId(input.eventId, "Event");
  const event = await ctx.prisma.event.findFirst({
    where: { id: input.eventId, tenantId: endpoint.tenantId, livemode: endpoint.livemode },
  });
  if (!event) throw new NotFoundError("Event", input.eventId);
  const now = ctx.now();
  return ctx.prisma.webhookDelivery.create({
    data: {
      eventId: event.id,
      endpointId: endpoint.id,
      walletId: event.walletId,
      sequence: event.sequence,
      resend: true,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    },
  });
}
