// `Billing-Gateway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the
// scheme Stripe uses: the timestamp is signed with the body, so a receiver can refuse replays of
// an old delivery (the README's snippet allows five minutes).
import { createHmac, randomBytes } from "node:crypto";

export const SIGNATURE_HEADER = "Billing-Gateway-Signature";
export const EVENT_ID_HEADER = "Billing-Gateway-Event-Id";

export function signatureHeader(secret: string, body: string, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

/** A new endpoint's signing secret: 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}
