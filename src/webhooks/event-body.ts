// What a webhook delivery POSTs: the event as JSON, the same for every attempt and every endpoint
// (the signature covers these exact bytes). Times and sequences in the one wire format
// (src/events/wire-format.ts): `"sequence": "4"`, `"createdAt": "2026-12-07T05:00:00.123Z"`.
import type { Event } from "../db/generated/client.ts";
import { wirePayload, wireSequence, wireTime } from "../events/wire-format.ts";

export function webhookBody(event: Event): string {
  return JSON.stringify({
    id: event.id,
    object: "event",
    type: event.type,
    createdAt: wireTime(event.createdAt),
    livemode: event.livemode,
    walletId: event.walletId,
    sequence: wireSequence(event.sequence),
    operationId: event.operationId,
    data: wirePayload(event.payload),
  });
}
