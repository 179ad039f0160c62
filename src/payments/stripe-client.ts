import Stripe from "stripe";
import { observeStripe } from "../observability/metrics.ts";
import type { PaymentsConfig } from "./config.ts";

export interface StripeAccess {
  stripe: Stripe;
  /** A test-mode key: the only kind test tokens may use. */
  testKey: boolean;
  webhookSecret: string | null;
}

/** The official SDK, pointed at STRIPE_API_BASE. Retries are ours to decide (see top-up.ts). */
export function createStripeAccess(config: PaymentsConfig): StripeAccess {
  const { apiBase } = config;
  const stripe = new Stripe(config.secretKey, {
    host: apiBase.hostname,
    port: apiBase.port ? Number(apiBase.port) : apiBase.protocol === "https:" ? 443 : 80,
    protocol: apiBase.protocol === "https:" ? "https" : "http",
    maxNetworkRetries: 0,
    timeout: config.timeoutMs,
  });
  observeStripe(stripe);
  return { stripe, testKey: /^(sk|rk)_test_/.test(config.secretKey), webhookSecret: config.webhookSecret };
}
