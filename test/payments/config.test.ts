// Stripe's settings fail the way every other setting does: a ConfigError naming each wrong one, which
// the server prints one line each, with no stack trace.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadPaymentsConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("loadPaymentsConfig accepted the settings");
}

describe("Stripe settings", () => {
  it("are off without STRIPE_SECRET_KEY, whatever else is set", () => {
    expect(loadPaymentsConfig({ STRIPE_TIMEOUT_MS: "soon" })).toBeNull();
  });

  it("name every wrong setting at once, as a ConfigError", () => {
    expect(problemsOf({ STRIPE_SECRET_KEY: "sk_test_1", STRIPE_API_BASE: "ftp://stripe.example", STRIPE_TIMEOUT_MS: "0" })).toEqual([
      "STRIPE_API_BASE must be an http(s) URL",
      "STRIPE_TIMEOUT_MS must be a positive whole number of milliseconds",
    ]);
  });

  it("refuse an API base that is not a URL at all as a setting, not as a crash", () => {
    expect(problemsOf({ STRIPE_SECRET_KEY: "sk_test_1", STRIPE_API_BASE: "stripe" })).toEqual(["STRIPE_API_BASE must be an http(s) URL"]);
  });

  it("read the rest as given", () => {
    const config = loadPaymentsConfig({
      STRIPE_SECRET_KEY: " sk_test_1 ",
      STRIPE_API_BASE: "http://127.0.0.1:9999",
      STRIPE_TIMEOUT_MS: "1500",
    });
    expect(config).toEqual({ secretKey: "sk_test_1", apiBase: new URL("http://127.0.0.1:9999"), webhookSecret: null, timeoutMs: 1500 });
  });
});
