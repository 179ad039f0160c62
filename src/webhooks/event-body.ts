// What a webhook delivery POSTs: the event as JSON, the same for every attempt and every endpoint
// (the signature covers these exact bytes).
import type { Event } from "../db/generated/client.ts";

export function webhookBody(event: Event): string {
  return JSON.stringify({
    id: event.id,
    object: "event",
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    livemode: event.livemode,
    walletId: event.walletId,
    sequence: Number(event.sequence),
    operationId: event.operationId,
    data: event.payload,
  });
}
