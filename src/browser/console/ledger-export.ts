// The wallet's ledger as a CSV file, downloaded from the page: every entry the filter selects,
// oldest first, read through the GraphQL connection a page of 100 at a time (so it costs the
// gateway what paging through the ledger does). Amounts are written exactly: as the decimal the
// page shows (without grouping) and as the Money scalar's minor units.
import { graphql } from "./api.ts";
import { toCsv, type CsvColumn } from "./csv.ts";
import { PAGE_INFO, type Connection } from "./pages.ts";
import { plainDecimal } from "./money.ts";

/** The API's largest page. */
const PAGE_SIZE = 100;

/** A ledger entry as the wallet page and its CSV read it. */
export interface ExportedEntry {
  id: string;
  sequence: string;
  createdAt: string;
  type: string;
  status: string;
  amount: string;
  endingBalance: string;
  description: string | null;
  reference: string | null;
  block: { category: string } | null;
}

const ENTRIES = `query ConsoleLedgerExport($id: ID!, $first: Int, $after: String, $types: [LedgerEntryType!], $category: String, $createdAfter: DateTime, $createdBefore: DateTime) {
  wallet(id: $id) {
    ledgerEntries(first: $first, after: $after, types: $types, category: $category, createdAfter: $createdAfter, createdBefore: $createdBefore) {
      totalCount ${PAGE_INFO}
      edges { node { id sequence createdAt type status amount endingBalance description reference block { category } } }
    }
  }
}`;

export interface LedgerWallet {
  id: string;
  currency: string;
  scale: number;
  name: string | null;
  customer: { externalId: string };
}

export function ledgerColumns(wallet: LedgerWallet): CsvColumn<ExportedEntry>[] {
  return [
    { name: "sequence", value: (entry) => entry.sequence },
    { name: "created_at", value: (entry) => entry.createdAt },
    { name: "type", value: (entry) => entry.type },
    { name: "status", value: (entry) => entry.status },
    { name: "category", value: (entry) => entry.block?.category ?? "overdraft" },
    { name: "amount", value: (entry) => plainDecimal(entry.amount, wallet.scale) },
    { name: "balance_after", value: (entry) => plainDecimal(entry.endingBalance, wallet.scale) },
    { name: "currency", value: () => wallet.currency },
    { name: "amount_minor", value: (entry) => entry.amount },
    { name: "balance_after_minor", value: (entry) => entry.endingBalance },
    { name: "reference", value: (entry) => entry.reference ?? "", text: true },
    { name: "description", value: (entry) => entry.description ?? "", text: true },
    { name: "entry_id", value: (entry) => entry.id },
  ];
}

/** Every entry the filters select, oldest first; `progress` hears how many have been read. */
export async function ledgerCsv(
  wallet: LedgerWallet,
  filters: Record<string, unknown>,
  progress: (read: number, total: number) => void,
): Promise<string> {
  const entries: ExportedEntry[] = [];
  let after: string | undefined;
  for (;;) {
    const { wallet: page } = await graphql<{ wallet: { ledgerEntries: Connection<ExportedEntry> } | null }>(ENTRIES, {
      id: wallet.id,
      ...filters,
      first: PAGE_SIZE,
      after,
    });
    if (!page) throw new Error("The wallet is no longer visible to this token.");
    entries.push(...page.ledgerEntries.edges.map((edge) => edge.node));
    progress(entries.length, page.ledgerEntries.totalCount);
    if (!page.ledgerEntries.pageInfo.hasNextPage || !page.ledgerEntries.pageInfo.endCursor) break;
    after = page.ledgerEntries.pageInfo.endCursor;
  }
  return toCsv(ledgerColumns(wallet), entries.reverse());
}

/** A file name that says whose ledger it is and when it was taken: ledger-cus_alpha-USD-main-2026-12-07.csv. */
export function ledgerFileName(wallet: LedgerWallet, now: Date): string {
  const parts = [wallet.customer.externalId, wallet.currency, wallet.name ?? ""].filter(Boolean);
  const safe = parts.join("-").replace(/[^\w.-]+/g, "_");
  return `ledger-${safe}-${now.toISOString().slice(0, 10)}.csv`;
}

/** Hands the text to the browser as a download. */
export function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads it when the download starts; the URL is let go a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
