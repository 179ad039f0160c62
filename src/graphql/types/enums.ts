import {
  ApiTokenRole,
  ConsumptionOrder,
  CreditBlockStatus,
  HoldStatus,
  LedgerEntryStatus,
  LedgerEntryType,
  OperationType,
  WalletStatus,
} from "../../ledger/index.ts";
import { builder } from "../builder.ts";

export const WalletStatusEnum = builder.enumType(WalletStatus, { name: "WalletStatus" });
export const ConsumptionOrderEnum = builder.enumType(ConsumptionOrder, {
  name: "ConsumptionOrder",
  description:
    "Which credits a debit spends first, after blocks scoped to its feature. standard: priority, soonest expiry, given before paid, lowest cost basis, oldest; soonest_expiry: soonest expiry first, then as standard; cheapest_first: given before paid and lowest cost basis first, then as standard.",
});
export const CreditBlockStatusEnum = builder.enumType(CreditBlockStatus, { name: "CreditBlockStatus" });
export const LedgerEntryTypeEnum = builder.enumType(LedgerEntryType, { name: "LedgerEntryType" });
export const LedgerEntryStatusEnum = builder.enumType(LedgerEntryStatus, { name: "LedgerEntryStatus" });
export const HoldStatusEnum = builder.enumType(HoldStatus, { name: "HoldStatus" });
export const OperationTypeEnum = builder.enumType(OperationType, { name: "OperationType" });
export const ApiTokenRoleEnum = builder.enumType(ApiTokenRole, {
  name: "ApiTokenRole",
  description:
    "admin: everything, token management included; write: money movements and settings; read: queries only; customer: a personal token's own wallets (read, spend, pay).",
});
