// Stripe settings, read once. Without STRIPE_SECRET_KEY the gateway takes no payments and
// top-ups answer PaymentsNotConfigured.

export interface PaymentsConfig {
  secretKey: string;
  /** https://api.stripe.com by default; tests point it at a local fake. */
  apiBase: URL;
  webhookSecret: string | null;
}

export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env): PaymentsConfig | null {
  const secretKey = env.STRIPE_SECRET_KEY?.trim();
  if (!secretKey) return null;
  const apiBase = new URL(env.STRIPE_API_BASE?.trim() || "https://api.stripe.com");
  if (apiBase.protocol !== "https:" && apiBase.protocol !== "http:") throw new Error("STRIPE_API_BASE must be an http(s) URL");
  return { secretKey, apiBase, webhookSecret: env.STRIPE_WEBHOOK_SECRET?.trim() || null };
}
