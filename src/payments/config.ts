// Stripe settings, read once. Without STRIPE_SECRET_KEY the gateway takes no payments and
// top-ups answer PaymentsNotConfigured. Wrong settings are a ConfigError listing each of them,
// which the server prints one line each, as it does for the rest of the configuration.
import { ConfigError } from "../config.ts";

export interface PaymentsConfig {
  secretKey: string;
  /** https://api.stripe.com by default; tests point it at a local fake. */
  apiBase: URL;
  /** Signs the events Stripe posts to /webhooks/stripe; without it the endpoint answers 503. */
  webhookSecret: string | null;
  /** How long one Stripe request may take before its outcome counts as unknown. */
  timeoutMs: number;
}

/** Fails with ConfigError naming every setting that is wrong. */
export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env): PaymentsConfig | null {
  const secretKey = env.STRIPE_SECRET_KEY?.trim();
  if (!secretKey) return null;
  const problems: string[] = [];
  const apiBase = urlOrNull(env.STRIPE_API_BASE?.trim() || "https://api.stripe.com");
  if (!apiBase || (apiBase.protocol !== "https:" && apiBase.protocol !== "http:")) problems.push("STRIPE_API_BASE must be an http(s) URL");
  const timeoutMs = Number(env.STRIPE_TIMEOUT_MS?.trim() || 20_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) problems.push("STRIPE_TIMEOUT_MS must be a positive whole number of milliseconds");
  if (!apiBase || problems.length > 0) throw new ConfigError(problems);
  return { secretKey, apiBase, webhookSecret: env.STRIPE_WEBHOOK_SECRET?.trim() || null, timeoutMs };
}

function urlOrNull(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
