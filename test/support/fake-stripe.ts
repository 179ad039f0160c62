// The fake Stripe lives with the gateway, which runs on it under `npm run dev`; tests start it from here.
export { signWebhook, startFakeStripe, type FakeEvent, type FakeStripe } from "../../src/payments/fake-stripe.ts";
