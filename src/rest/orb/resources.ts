// Orb's credit block and ledger entry resources, from the ledger's blocks and entries. Amounts
// are in the wallet's major units (credits or currency), as exact JSON numbers.
import { type CreditBlock, type Customer, type LedgerEntry, type Wallet, formatMinorUnits } from "../../ledger/index.ts";
import { JsonDecimal } from "../json.ts";

/** Orb's entry types and the ledger's entry types each stands for; a Map, as its keys come from query strings. */
export const ORB_ENTRY_TYPES: ReadonlyMap<string, LedgerEntry["type"][]> = new Map([
  ["increment", ["increment", "refund"]],
  ["decrement", ["decrement", "capture"]],
  ["void", ["void"]],
  ["amendment", ["amendment"]],
  ["expiration_change", ["expiration_change"]],
  ["credit_block_expiry", ["expiration"]],
]);

/** Ledger entry types Orb has a name for; holds are reservations, which Orb's ledger does not show. */
export const ORB_VISIBLE_TYPES = [...ORB_ENTRY_TYPES.values()].flat();

function orbType(type: LedgerEntry["type"]): string {
  return [...ORB_ENTRY_TYPES].find(([, ours]) => ours.includes(type))?.[0] ?? type;
}

export function money(amount: bigint, wallet: Wallet): JsonDecimal {
  return new JsonDecimal(formatMinorUnits(amount, wallet.scale));
}

const day = (date: Date | null) => date?.toISOString() ?? null;

export function orbBlock(block: CreditBlock, wallet: Wallet) {
  return {
    id: block.id,
    balance: money(block.remaining, wallet),
    effective_date: day(block.effectiveAt),
    expiry_date: day(block.expiresAt),
    per_unit_cost_basis: block.costBasis?.toString() ?? null,
    status: "active",
    maximum_initial_balance: money(block.amount, wallet),
  };
}

export function orbEntry(
  entry: LedgerEntry,
  block: CreditBlock | null,
  wallet: Wallet,
  customer: Customer,
  overrides: Record<string, unknown> = {},
) {
  const metadata = (entry.metadata ?? {}) as Record<string, unknown>;
  const type = orbType(entry.type);
  return {
    id: entry.id,
    ledger_sequence_number: Number(entry.sequence),
    entry_status: entry.status,
    customer: { id: customer.id, external_customer_id: customer.externalId },
    starting_balance: money(entry.startingBalance, wallet),
    ending_balance: money(entry.endingBalance, wallet),
    amount: money(entry.amount, wallet),
    currency: wallet.currency,
    created_at: entry.createdAt.toISOString(),
    description: entry.description,
    credit_block: {
      id: block?.id ?? null,
      expiry_date: day(block?.expiresAt ?? null),
      per_unit_cost_basis: block?.costBasis?.toString() ?? null,
    },
    entry_type: type,
    metadata,
    ...(type === "decrement" ? { price_id: null, event_id: null, invoice_id: null } : {}),
    ...(type === "void"
      ? { void_reason: (metadata.void_reason as string | undefined) ?? null, void_amount: money(-entry.amount, wallet) }
      : {}),
    ...overrides,
  };
}
