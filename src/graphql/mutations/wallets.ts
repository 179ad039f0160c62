import { createWallet } from "../../ledger/commands/create-wallet.ts";
import { terminateWallet } from "../../ledger/commands/terminate-wallet.ts";
import { updateWallet } from "../../ledger/commands/update-wallet.ts";
import { getWallet } from "../../ledger/queries.ts";
import { setAutoTopUpRule, validAutoTopUpRule } from "../../payments/auto-top-up.ts";
import { builder } from "../builder.ts";
import { COMMON_ERRORS, WALLET_ERRORS } from "../errors.ts";
import { CustomerRef } from "../types/customer.ts";
import { AutoTopUpInput } from "../types/top-up.ts";
import { WalletRef } from "../types/wallet.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION, ledgerResultFields } from "./ledger-result.ts";

const CustomUnitInput = builder.inputType("CustomUnitInput", {
  description: "A unit of your own, such as credits, instead of an ISO 4217 currency.",
  fields: (t) => ({
    code: t.string({ required: true, description: "2 to 32 upper-case letters, digits or '_', starting with a letter, and not an ISO 4217 code: e.g. CREDITS." }),
    scale: t.int({ required: true, description: "Minor-unit digits, 0 to 18: with 3, an amount of 1500 is 1.5 units." }),
  }),
});

builder.relayMutationField(
  "createWallet",
  {
    inputFields: (t) => ({
      customerExternalId: t.string({ required: true, description: "Created when new." }),
      customerName: t.string(),
      customerEmail: t.string(),
      currency: t.string({ description: "An ISO 4217 code such as USD; minor units from the standard (cents for USD, none for JPY). Give this or customUnit." }),
      customUnit: t.field({ type: CustomUnitInput, description: "A unit of your own, with its scale. Give this or currency." }),
      name: t.string({ description: "Sets the wallet apart from the customer's other active wallets in the same currency, which must each have another name." }),
      overdraftLimit: t.field({ type: "Money" }),
      defaultExpiryDays: t.int(),
      metadata: t.field({ type: "JSONObject" }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: WALLET_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return createWallet(ctx.ledger, {
        scope: ctx.viewer,
        customer: { externalId: input.customerExternalId, name: input.customerName, email: input.customerEmail },
        currency: input.currency,
        customUnit: input.customUnit,
        name: input.name,
        overdraftLimit: input.overdraftLimit,
        defaultExpiryDays: input.defaultExpiryDays,
        metadata: input.metadata,
        idempotencyKey: input.idempotencyKey,
      });
    },
  },
  {
    outputFields: (t) => ({
      wallet: t.field({ type: WalletRef, resolve: (result) => result.wallet }),
      customer: t.field({ type: CustomerRef, resolve: (result) => result.customer }),
      replayed: t.exposeBoolean("replayed"),
    }),
  },
);

builder.relayMutationField(
  "updateWallet",
  {
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      name: t.string(),
      overdraftLimit: t.field({ type: "Money" }),
      defaultExpiryDays: t.int({ description: "Null clears it." }),
      metadata: t.field({ type: "JSONObject", description: "Merged in; a key set to null is removed." }),
      autoTopUp: t.field({ type: AutoTopUpInput, description: "Sets the auto top-up rule (resuming a paused one); null removes it." }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: WALLET_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      const walletId = input.walletId.id;
      // The rule is checked before anything is written, so bad input changes nothing.
      if (input.autoTopUp) validAutoTopUpRule(input.autoTopUp, (await getWallet(ctx.ledger, ctx.viewer, walletId)).currency);
      const result = await updateWallet(ctx.ledger, {
        scope: ctx.viewer,
        walletId: input.walletId.id,
        name: input.name ?? undefined,
        overdraftLimit: input.overdraftLimit ?? undefined,
        defaultExpiryDays: "defaultExpiryDays" in input ? input.defaultExpiryDays : undefined,
        metadata: input.metadata ?? undefined,
        idempotencyKey: input.idempotencyKey,
      });
      if ("autoTopUp" in input && input.autoTopUp !== undefined) await setAutoTopUpRule(ctx, { scope: ctx.viewer, walletId, rule: input.autoTopUp });
      return result;
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "terminateWallet",
  {
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      reason: t.string(),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: COMMON_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return terminateWallet(ctx.ledger, { scope: ctx.viewer, walletId: input.walletId.id, reason: input.reason, idempotencyKey: input.idempotencyKey });
    },
  },
  { outputFields: ledgerResultFields },
);
