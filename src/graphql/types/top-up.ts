import { TopUpStatus, TopUpTrigger } from "../../db/generated/enums.ts";
import { listDepositReversals } from "../../ledger/index.ts";
import { builder } from "../builder.ts";

export const TopUpStatusEnum = builder.enumType(TopUpStatus, { name: "TopUpStatus" });
export const TopUpTriggerEnum = builder.enumType(TopUpTrigger, { name: "TopUpTrigger" });

export const TopUpRef = builder.prismaObject("TopUp", {
  description: "A payment through Stripe for credits: asked for with topUp, or fired by the wallet's auto top-up rule.",
  fields: (t) => ({
    id: t.exposeID("id"),
    amount: t.field({ type: "Money", resolve: (topUp) => topUp.amount }),
    currency: t.exposeString("currency"),
    chargeAmount: t.field({
      type: "Money",
      description: "What the card is charged, in minor units of chargeCurrency.",
      resolve: (topUp) => topUp.chargeAmount,
    }),
    chargeCurrency: t.exposeString("chargeCurrency"),
    bonusAmount: t.field({
      type: "Money",
      description: "Granted credits added with the paid ones.",
      resolve: (topUp) => topUp.bonusAmount,
    }),
    status: t.expose("status", { type: TopUpStatusEnum }),
    trigger: t.expose("trigger", { type: TopUpTriggerEnum }),
    attempts: t.exposeInt("attempts", { description: "Payment attempts made; an auto top-up retries declines with backoff." }),
    nextAttemptAt: t.expose("nextAttemptAt", { type: "DateTime", nullable: true, description: "When a pending top-up is tried next." }),
    failureCode: t.exposeString("failureCode", { nullable: true, description: "Stripe's error code of the latest decline." }),
    declineCode: t.exposeString("declineCode", { nullable: true }),
    failureMessage: t.exposeString("failureMessage", { nullable: true }),
    stripePaymentIntentId: t.exposeString("stripePaymentIntentId", { nullable: true }),
    stripeChargeId: t.exposeString("stripeChargeId", { nullable: true }),
    refunds: t.field({
      type: [FundingReversalRef],
      description: "Refunds of the charge, oldest first.",
      select: { operationId: true },
      resolve: (topUp, _args, ctx) => (topUp.operationId ? listDepositReversals(ctx.ledger, ctx.viewer, topUp.operationId) : []),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const FundingReversalRef = builder.prismaObject("FundingReversal", {
  description: "Money of a deposit returned to the payer: the unspent part voided, the spent part recorded as unrecovered.",
  fields: (t) => ({
    amount: t.field({ type: "Money", resolve: (reversal) => reversal.amount }),
    voided: t.field({ type: "Money", description: "Taken back from what the credits had left.", resolve: (reversal) => reversal.voided }),
    unrecovered: t.field({
      type: "Money",
      description: "Already spent (or held) when the money went back.",
      resolve: (reversal) => reversal.unrecovered,
    }),
    reversedTotal: t.field({ type: "Money", description: "Returned in all so far.", resolve: (reversal) => reversal.reversedTotal }),
    reference: t.exposeString("reference", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const AutoTopUpRuleRef = builder.prismaObject("AutoTopUpRule", {
  description: "Charges the owner's card when available credits fall below the threshold after a debit.",
  fields: (t) => ({
    threshold: t.field({ type: "Money", resolve: (rule) => rule.threshold }),
    amount: t.field({
      type: "Money",
      nullable: true,
      description: "Added each time (one of amount and targetBalance).",
      resolve: (rule) => rule.amount,
    }),
    targetBalance: t.field({
      type: "Money",
      nullable: true,
      description: "Available credits each top-up restores.",
      resolve: (rule) => rule.targetBalance,
    }),
    bonusAmount: t.field({
      type: "Money",
      description: "Granted credits added free with each top-up.",
      resolve: (rule) => rule.bonusAmount,
    }),
    maxAttempts: t.exposeInt("maxAttempts"),
    paused: t.boolean({
      description: "A top-up gave up; the rule fires again once available credits are back at the threshold.",
      resolve: (rule) => rule.pausedAt !== null,
    }),
    pausedReason: t.exposeString("pausedReason", { nullable: true }),
  }),
});

export const AutoTopUpInput = builder.inputType("AutoTopUpInput", {
  fields: (t) => ({
    threshold: t.field({ type: "Money", required: true, description: "Fire when available credits fall below this." }),
    amount: t.field({ type: "Money", description: "Top up this much each time (at least $1.00 in USD). Give this or targetBalance." }),
    targetBalance: t.field({ type: "Money", description: "Top up what brings available credits back to this. Give this or amount." }),
    bonusAmount: t.field({ type: "Money", description: "Granted credits added free with each top-up; default 0." }),
    maxAttempts: t.int({ description: "Attempts per top-up before giving up; 1 to 20, default 4." }),
  }),
});
