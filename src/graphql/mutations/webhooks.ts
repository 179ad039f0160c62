// Webhook endpoints for admin tokens: the rules are src/webhooks/endpoints.ts's.
import { ForbiddenError, LimitExceededError, NotFoundError, ValidationError } from "../../ledger/index.ts";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  resendWebhookEvent,
  updateWebhookEndpoint,
  type WebhookContext,
} from "../../webhooks/endpoints.ts";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { WebhookDeliveryRef, WebhookEndpointRef } from "../types/webhook-endpoint.ts";

function webhookContext(ctx: GraphQLContext): WebhookContext {
  return { prisma: ctx.ledger.prisma, now: ctx.ledger.now, urlPolicy: ctx.webhookUrlPolicy };
}

builder.relayMutationField(
  "createWebhookEndpoint",
  {
    inputFields: (t) => ({
      url: t.string({ required: true, description: "https, on a public address." }),
      eventTypes: t.stringList({
        required: true,
        description: 'Event types to deliver, e.g. ["operation.completed", "balance.depleted"], or ["*"] for all.',
      }),
      description: t.string(),
    }),
  },
  {
    errors: { types: [ValidationError, ForbiddenError, LimitExceededError] },
    resolve: (_root, { input }, ctx) => createWebhookEndpoint(webhookContext(ctx), ctx.viewer, input),
  },
  {
    outputFields: (t) => ({
      webhookEndpoint: t.field({ type: WebhookEndpointRef, resolve: (result) => result.endpoint }),
      secret: t.exposeString("secret", {
        description: "The signing secret of Billing-Gateway-Signature, shown only now: keep it where the receiver can read it.",
      }),
    }),
  },
);

builder.relayMutationField(
  "updateWebhookEndpoint",
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true, for: [WebhookEndpointRef] }),
      url: t.string(),
      eventTypes: t.stringList(),
      description: t.string(),
    }),
  },
  {
    errors: { types: [ValidationError, NotFoundError, ForbiddenError] },
    resolve: (_root, { input }, ctx) =>
      updateWebhookEndpoint(webhookContext(ctx), ctx.viewer, input.id.id, {
        url: input.url ?? undefined,
        eventTypes: input.eventTypes ?? undefined,
        description: input.description,
      }),
  },
  { outputFields: (t) => ({ webhookEndpoint: t.field({ type: WebhookEndpointRef, resolve: (endpoint) => endpoint }) }) },
);

builder.relayMutationField(
  "deleteWebhookEndpoint",
  { inputFields: (t) => ({ id: t.globalID({ required: true, for: [WebhookEndpointRef] }) }) },
  {
    errors: { types: [NotFoundError, ForbiddenError] },
    resolve: (_root, { input }, ctx) => deleteWebhookEndpoint(webhookContext(ctx), ctx.viewer, input.id.id),
  },
  {
    outputFields: (t) => ({
      deletedWebhookEndpointId: t.id({
        description: "Nothing more is sent to it, retries included.",
        resolve: (endpoint) => endpoint.id,
      }),
    }),
  },
);

builder.relayMutationField(
  "resendWebhookEvent",
  {
    inputFields: (t) => ({
      eventId: t.id({ required: true, description: "The event's own id (Event.id, the Billing-Gateway-Event-Id header)." }),
      endpointId: t.globalID({ required: true, for: [WebhookEndpointRef] }),
    }),
  },
  {
    errors: { types: [NotFoundError, ForbiddenError] },
    resolve: (_root, { input }, ctx) =>
      resendWebhookEvent(webhookContext(ctx), ctx.viewer, { eventId: input.eventId, endpointId: input.endpointId.id }),
  },
  {
    outputFields: (t) => ({
      delivery: t.field({
        type: WebhookDeliveryRef,
        description: "The new delivery: one attempt, as soon as a gateway is free.",
        resolve: (delivery) => delivery,
      }),
    }),
  },
);
