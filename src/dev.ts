// `npm run dev`: the gateway for local work, restarted by `node --watch` whenever a source file
// changes. Without STRIPE_SECRET_KEY, payments go to a local fake Stripe (src/payments/fake-stripe.ts)
// started in this process: pm_card_visa succeeds, pm_card_chargeDeclined is declined,
// pm_card_authenticationRequired needs the customer; nothing leaves the machine. With the key
// set, the gateway uses Stripe as `npm start` would.
import { startFakeStripe } from "./payments/fake-stripe.ts";
import { rootLogger } from "./observability/logger.ts";

// A restart (node --watch sends SIGTERM) need not wait for load balancers that are not there.
process.env.SHUTDOWN_DRAIN_MS ??= "0";

if (!process.env.STRIPE_SECRET_KEY?.trim()) {
  const stripe = await startFakeStripe();
  process.env.STRIPE_SECRET_KEY = "sk_test_local_fake_stripe";
  process.env.STRIPE_API_BASE = stripe.url;
  rootLogger.info(
    `Payments: a local fake Stripe on ${stripe.url} (test cards: pm_card_visa succeeds, pm_card_chargeDeclined is declined); set STRIPE_SECRET_KEY to use Stripe`,
  );
}

await import("./server.ts");
