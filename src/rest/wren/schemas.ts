// The Wren credits API's response shapes, as /openapi.json lists them (wren-credits-api.txt).
import { z } from "zod";
import { dateTime, named } from "../schema.ts";
import type { Answer } from "../router.ts";

const WrenError = named("WrenError", z.object({ error: z.string() }));

export const WrenLedgerEntry = named(
  "WrenLedgerEntry",
  z.object({
    id: z.string(),
    amount_usd_cents: z.int(),
    type: z.enum(["top_up", "deduction", "refund"]),
    order_group_id: z.string().nullable(),
    stripe_charge_id: z.string().nullable(),
    created_at: dateTime(),
  }),
);

export const wrenAnswers = {
  ok: (id: string, schema: z.ZodType): Record<string, Answer> => ({
    "200": { description: "OK", schema: named(id, schema) },
    "400": { description: "Invalid request or payment failure", schema: WrenError },
    "402": { description: "Insufficient credits", schema: WrenError },
    "403": { description: "Missing or invalid authentication", schema: WrenError },
  }),
};
