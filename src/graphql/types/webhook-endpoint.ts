// Webhook endpoints as their tenant's admins see them (never the signing secret, shown once on
// creation), with each delivery's latest attempt. Who sees what is src/webhooks/endpoints.ts.
import { WebhookDeliveryStatus, WebhookEndpointStatus } from "../../db/generated/enums.ts";
import { webhookEndpointListFilter, webhookEndpointsVisibleTo } from "../../webhooks/endpoints.ts";
import { builder } from "../builder.ts";
import { EventRef } from "./event.ts";
import { pageCap } from "./pagination.ts";

const WebhookEndpointStatusEnum = builder.enumType(WebhookEndpointStatus, {
  name: "WebhookEndpointStatus",
  description:
    "failing: a delivery used up its retries; each later delivery gets one attempt until one succeeds, which makes it active again.",
});
const WebhookDeliveryStatusEnum = builder.enumType(WebhookDeliveryStatus, { name: "WebhookDeliveryStatus" });

export const WebhookDeliveryRef = builder.prismaObject("WebhookDelivery", {
  description: "One event sent to one endpoint: its latest attempt, and when the next is due while pending.",
  fields: (t) => ({
    id: t.exposeID("id"),
    event: t.relation("event", { type: EventRef }),
    status: t.expose("status", { type: WebhookDeliveryStatusEnum }),
    attempts: t.exposeInt("attempts", { description: "Attempts made so far." }),
    responseStatus: t.exposeInt("responseStatus", {
      nullable: true,
      description: "The HTTP status of the latest attempt; null when none came (timeout, connection refused).",
    }),
    durationMs: t.exposeInt("durationMs", { nullable: true, description: "How long the latest attempt took, in milliseconds." }),
    lastError: t.exposeString("lastError", { nullable: true, description: "Why the latest attempt failed." }),
    nextAttemptAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it is next tried; null once it succeeded or was given up.",
      resolve: (delivery) => (delivery.status === "pending" ? delivery.nextAttemptAt : null),
    }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true }),
    resend: t.exposeBoolean("resend", { description: "Sent again on request (resendWebhookEvent)." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const WebhookEndpointRef = builder.prismaNode("WebhookEndpoint", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, AND: [webhookEndpointsVisibleTo(ctx.viewer)] }),
  fields: (t) => ({
    url: t.exposeString("url"),
    eventTypes: t.exposeStringList("eventTypes", { description: "The event types delivered; * for all." }),
    description: t.exposeString("description", { nullable: true }),
    status: t.expose("status", { type: WebhookEndpointStatusEnum }),
    livemode: t.exposeBoolean("livemode", { description: "False for a test-mode endpoint, which receives test events only." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    deliveries: t.relatedConnection("deliveries", {
      cursor: "id",
      maxSize: pageCap,
      description: "Its deliveries, newest first.",
      query: () => ({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
    }),
  }),
});

builder.queryField("webhookEndpoints", (t) =>
  t.prismaConnection({
    type: WebhookEndpointRef,
    cursor: "id",
    maxSize: pageCap,
    description: "The webhook endpoints of the token's tenant and mode, oldest first. Admin tokens only; others get FORBIDDEN.",
    totalCount: (_connection, _args, ctx) => ctx.ledger.prisma.webhookEndpoint.count({ where: webhookEndpointListFilter(ctx.viewer) }),
    resolve: (query, _root, _args, ctx) =>
      ctx.ledger.prisma.webhookEndpoint.findMany({
        ...query,
        where: webhookEndpointListFilter(ctx.viewer),
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      }),
  }),
);
