import { createWallet, terminateWallet } from "../../ledger/index.ts";
import { PaymentsNotConfiguredError } from "../../payments/errors.ts";
import { updateWalletSettings } from "../../payments/wallet-settings.ts";
import { builder } from "../builder.ts";
import { COMMON_ERRORS, WALLET_ERRORS } from "../errors.ts";
import { CustomerRef } from "../types/customer.ts";
import { AutoTopUpInput } from "../types/top-up.ts";
import { WalletRef } from "../types/wallet.ts";
import { balancesNow } from "../wallet-balances.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION, ledgerResultFields } from "./ledger-result.ts";

const CustomUnitInput = builder.inputType("CustomUnitInput", {
  description: "A unit of your own, such as credits, instead of an ISO 4217 currency.",
  fields: (t) => ({
    code: t.string({
      required: true,
      description: "2 to 32 upper-case letters, digits or '_', starting with a letter, and not an ISO 4217 code: e.g. CREDITS.",
    }),
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
      currency: t.string({
        description: "An ISO 4217 code such as USD; minor units from the standard (cents for USD, none for JPY). Give this or customUnit.",
      }),
      customUnit: t.field({ type: CustomUnitInput, description: "A unit of your own, with its scale. Give this or currency." }),
      name: t.string({
        description:
          "Sets the wallet apart from the customer's other active wallets in the same currency, which must each have another name.",
      }),
      overdraftLimit: t.field({ type: "Money" }),
      defaultExpiryDays: t.int(),
      defaultAppliesTo: t.stringList({
        description: "Feature keys given to blocks deposited without their own appliesTo; default: any usage.",
      }),
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
        defaultAppliesTo: input.defaultAppliesTo,
        metadata: input.metadata,
        idempotencyKey: input.idempotencyKey,
      });
    },
  },
  {
    outputFields: (t) => ({
      wallet: t.field({
        type: WalletRef,
        resolve: (result, _args, ctx) => {
          // Its balance as the creation left it, also on a replay.
          balancesNow(ctx).clear(result.wallet.id).prime(result.wallet.id, result.balance);
          return result.wallet;
        },
      }),
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
      defaultAppliesTo: t.stringList({ description: "Feature keys for blocks deposited without their own; empty or null: any usage." }),
      metadata: t.field({ type: "JSONObject", description: "Merged in; a key set to null is removed." }),
      autoTopUp: t.field({ type: AutoTopUpInput, description: "Sets the auto top-up rule (resuming a paused one); null removes it." }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: [...WALLET_ERRORS, PaymentsNotConfiguredError] },
    resolve: async (_root, { input }, ctx) => {
      // One command: the settings and the rule change together or not at all, under one key.
      return updateWalletSettings(
        { ledger: ctx.ledger, payments: ctx.payments },
        {
          scope: ctx.viewer,
          walletId: input.walletId.id,
          name: input.name ?? undefined,
          overdraftLimit: input.overdraftLimit ?? undefined,
          defaultExpiryDays: "defaultExpiryDays" in input ? input.defaultExpiryDays : undefined,
          defaultAppliesTo: "defaultAppliesTo" in input ? (input.defaultAppliesTo ?? []) : undefined,
          metadata: input.metadata ?? undefined,
          autoTopUp: "autoTopUp" in input ? input.autoTopUp : undefined,
          idempotencyKey: input.idempotencyKey,
        },
      );
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
      return terminateWallet(ctx.ledger, {
        scope: ctx.viewer,
        walletId: input.walletId.id,
        reason: input.reason,
        idempotencyKey: input.idempotencyKey,
      });
    },
  },
  { outputFields: ledgerResultFields },
);
