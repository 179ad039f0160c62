// A small typed client of Billing Gateway: GraphQL through the documents GraphQL Code Generator
// typed from operations.graphql, REST through the `paths` openapi-typescript typed from
// /openapi.json. `npm run lint` generates both into a scratch directory and type-checks this file
// against them, so a change to the schema that breaks it fails there.
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { DebitDocument, WalletBalanceDocument, type WalletBalanceQuery } from "./generated/graphql.ts";
import type { paths } from "./generated/rest.ts";

/** Orb's credit ledger of one customer, as /openapi.json describes the answer. */
type OrbLedgerPage =
  paths["/customers/external_customer_id/{external_customer_id}/credits/ledger"]["get"]["responses"]["200"]["content"]["application/json"];

/** A debit's outcome: the balance it left, or the refusal with its code (never an empty object). */
export type DebitOutcome =
  | { ok: true; replayed: boolean; available: bigint }
  | { ok: false; code: string; message: string; shortBy?: bigint };

export class BillingGatewayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Sends one typed operation; a GraphQL error (a bad token, a query over a limit) is thrown. */
  async request<Result, Variables>(document: TypedDocumentNode<Result, Variables>, variables: Variables): Promise<Result> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json()) as { data?: Result | null; errors?: { message: string }[] };
    if (!body.data) throw new Error(body.errors?.map((error) => error.message).join("; ") ?? `HTTP ${response.status}`);
    return body.data;
  }

  /** Money is bigint minor units here, and a string of digits on the wire. */
  async debit(walletId: string, amount: bigint, idempotencyKey: string): Promise<DebitOutcome> {
    const { debit } = await this.request(DebitDocument, { input: { walletId, amount: amount.toString(), idempotencyKey } });
    switch (debit.__typename) {
      case "DebitPayload":
        return { ok: true, replayed: debit.replayed, available: BigInt(debit.wallet.balance.available) };
      case "InsufficientCreditsError":
        return { ok: false, code: debit.code, message: debit.message, shortBy: BigInt(debit.requested) - BigInt(debit.available) };
      default:
        return { ok: false, code: debit.code, message: debit.message };
    }
  }

  async balance(walletId: string): Promise<NonNullable<WalletBalanceQuery["wallet"]>["balance"] | null> {
    const { wallet } = await this.request(WalletBalanceDocument, { id: walletId });
    return wallet?.balance ?? null;
  }

  /** The newest entries of a customer's Orb credit ledger. */
  async orbLedger(externalCustomerId: string, limit = 20): Promise<OrbLedgerPage> {
    const url = `${this.baseUrl}/customers/external_customer_id/${encodeURIComponent(externalCustomerId)}/credits/ledger?limit=${limit}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    return (await response.json()) as OrbLedgerPage;
  }
}

export async function example(client: BillingGatewayClient, walletId: string): Promise<void> {
  const outcome = await client.debit(walletId, 300n, "usage-order-42");
  if (!outcome.ok) console.log(`refused: ${outcome.code}: ${outcome.message}`);
  else console.log(`available now: ${outcome.available}`);
  const ledger = await client.orbLedger("bob");
  for (const entry of ledger.data) console.log(entry.entry_type, entry.amount, entry.ending_balance);
}
