// GET /openapi.json describes the shim truthfully: a tour of real requests over every
// documented path, each response validated against the schema the document gives it.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);

type Document = {
  paths: Record<string, Record<string, { responses: Record<string, { content: { "application/json": { schema: object } } }> }>>;
  components: object;
};

function validatorFor(document: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: "openapi", components: document.components });
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));
  const covered = new Set<string>();
  return {
    covered,
    check(method: string, path: string, status: number, body: unknown) {
      const matches = templates.filter(({ pattern }) => pattern.test(path.split("?")[0]!));
      // The most specific template wins: literal segments beat parameters.
      const match = matches.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0];
      expect(match, `${method} ${path} is not documented`).toBeDefined();
      const response = document.paths[match!.template]![method.toLowerCase()]?.responses[String(status)];
      expect(response, `${method} ${match!.template} does not document status ${status}`).toBeDefined();
      const schema = JSON.parse(
        JSON.stringify(response!.content["application/json"].schema).replaceAll('"#/components/', '"openapi#/components/'),
      );
      const valid = ajv.validate(schema, body);
      expect(valid, `${method} ${path} ${status}: ${ajv.errorsText()}\n${JSON.stringify(body)}`).toBe(true);
      covered.add(`${method.toLowerCase()} ${match!.template} ${status}`);
    },
  };
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document that every real response matches", async () => {
    const served = await http.send("GET", "/openapi.json", { token: null });
    expect(served.status).toBe(200);
    const document = served.body as Document & { openapi: string };
    expect(document.openapi).toBe("3.1.0");
    const validator = validatorFor(document);
    const call = async (method: string, path: string, options: Parameters<typeof http.send>[2] = {}) => {
      const reply = await http.send(method, path, options);
      validator.check(method, path, reply.status, reply.body);
      return reply;
    };
    const testToken = await gateway.issue("acme", { test: true });

    await call("GET", "/api/credits/balance");
    await call("GET", "/api/credits/balance", { token: null });
    await call("GET", "/api/credits/ledger", { token: testToken });
    await call("POST", "/api/credits/top-up", { json: { amountInUsdCents: 500 }, token: testToken });
    await call("POST", "/api/credits/top-up", { json: { amountInUsdCents: 5 } });

    await call("POST", "/v1/customers/deposit", { json: { customer_id: "tour", amount: 100, expires_at: "2099-01-01T00:00:00Z" } });
    await call("POST", "/v1/billing/deposit", { json: { customer_id: "tour", amount: 0 } });
    await call("GET", "/v1/customers/tour");
    await call("GET", "/v1/customers/nobody");
    await call("POST", "/v1/billing/freeze", { json: { customer_id: "tour", transaction_id: "t1", amount: 10 } });
    await call("POST", "/v1/billing/consume", { json: { transaction_id: "t1", actual_amount: 5 } });
    await call("POST", "/v1/billing/freeze", { json: { customer_id: "tour", transaction_id: "t2", amount: 10 } });
    await call("POST", "/v1/billing/unfreeze", { json: { transaction_id: "t2" } });
    await call("POST", "/v1/billing/deduct", { json: { customer_id: "tour", transaction_id: "t3", amount: 1 } });
    await call("POST", "/v1/billing/deduct", { json: { customer_id: "tour", transaction_id: "t3", amount: 2 } });
    await call("POST", "/v1/billing/deduct", { json: { customer_id: "tour", transaction_id: "t4", amount: 1 }, token: null });

    const increment = await call("POST", "/customers/external_customer_id/tour-orb/credits/ledger_entry", {
      json: { entry_type: "increment", amount: 10, expiry_date: "2099-01-01" },
    });
    await call("POST", "/customers/external_customer_id/tour-orb/credits/ledger_entry", { json: { entry_type: "decrement", amount: 100 } });
    const orbId = increment.body.customer.id;
    await call("POST", `/customers/${orbId}/credits/ledger_entry`, {
      json: { entry_type: "void", block_id: increment.body.credit_block.id, amount: 1 },
    });
    await call("GET", "/customers/external_customer_id/tour-orb/credits");
    await call("GET", `/customers/${orbId}/credits/ledger`);
    await call("GET", `/customers/${orbId}/credits`);
    await call("GET", "/customers/external_customer_id/nobody/credits/ledger");

    const wallet = await call("POST", "/v1/commerce/billing/wallets", {
      json: { external_customer_id: "tour-c", currency: "USD", rate_amount: "1", paid_credits: "5" },
    });
    await call("POST", "/v1/commerce/billing/wallets", { json: { currency: "USD" } });
    await call("GET", "/v1/commerce/billing/wallets");
    await call("GET", `/v1/commerce/billing/wallets/${wallet.body.id}`);
    await call("PUT", `/v1/commerce/billing/wallets/${wallet.body.id}`, { json: { name: "Renamed" } });
    const topUp = await call("POST", `/v1/commerce/billing/wallets/${wallet.body.id}/wallet-transactions`, {
      json: { type: "TOPUP", granted_credits: "1" },
    });
    await call("GET", `/v1/commerce/billing/wallets/${wallet.body.id}/wallet-transactions`);
    await call("GET", `/v1/commerce/billing/wallet-transactions/${topUp.body.wallet_transactions[0].wallet_transaction_id}`);
    await call("POST", `/v1/commerce/billing/wallets/${wallet.body.id}/wallet-transactions`, {
      json: { type: "VOID", credits_to_void: "100" },
    });
    await call("DELETE", `/v1/commerce/billing/wallets/${wallet.body.id}`);
    await call("GET", "/v1/commerce/billing/wallets", { token: null });

    const documented = Object.entries(document.paths).flatMap(([template, methods]) =>
      Object.keys(methods).map((method) => `${method} ${template}`),
    );
    const toured = new Set([...validator.covered].map((key) => key.split(" ").slice(0, 2).join(" ")));
    expect(documented.filter((operation) => !toured.has(operation))).toEqual([]);
  });
});
