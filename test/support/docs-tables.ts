// The tables in docs/ that the code defines: the settings (SETTINGS in src/config.ts) and the
// event types (EVENT_TYPES in src/ledger/events.ts). Each is written between two markers in its
// page; `npm run docs:tables` rewrites them, and test/docs/tables.test.ts fails when a page
// differs from what this file renders.
import fs from "node:fs";
import { pathToFileURL } from "node:url";
import { SETTINGS } from "../../src/config.ts";
import { EVENT_TYPES, type EventType } from "../../src/ledger/index.ts";

export const DOCS_DIRECTORY = new URL("../../docs/", import.meta.url);

/**
 * When each event is written, by type. Every type in EVENT_TYPES needs its line here (the tables
 * test says which is missing); a line for a type not yet defined is kept and not shown.
 */
export const EVENT_TYPE_WHEN: Readonly<Record<string, string>> = {
  "operation.completed":
    "any ledger operation (deposit, debit, hold, capture, release, void, refund, amendment, expiration, expiration change, termination, wallet creation and update)",
  "wallet.created": "a wallet opened",
  "wallet.updated": "a wallet's settings changed",
  "wallet.terminated": "a wallet closed for good",
  "top_up.succeeded": "a paid top-up credited; told once however many webhook deliveries and sweeps settle it",
  "top_up.failed": "a paid top-up given up (declined, or its wallet terminated); told once",
  "top_up.refunded": "a payment for a top-up that cannot be credited, given back through Stripe",
  "hold.expired": "a hold released itself past its expiry",
  "credits.expired": "the expiry sweep took lapsed credits out",
  "balance.below_threshold":
    "a movement left available credits at or below a balance alert's threshold (see [Balance alerts](#balance-alerts))",
  "balance.depleted": "a movement left available credits at or below zero",
  "balance.recovered": "a depleted wallet has credits again",
  "auto_top_up.paused":
    "an auto top-up rule that cannot run was paused (payments not configured, no payment method, or its attempts used up); setting the rule again resumes it",
};

/** Event types that have no line in EVENT_TYPE_WHEN. */
export function undescribedEventTypes(): EventType[] {
  return EVENT_TYPES.filter((type) => !EVENT_TYPE_WHEN[type]);
}

/** Settings only the tests read (they are not the gateway's). */
export const TEST_SETTINGS = [
  {
    name: "TEST_DATABASE_URL",
    meaning: "a PostgreSQL server on which each test file gets a fresh database (a copy of one the run migrates once)",
    default: "unset: PostgreSQL half skipped, with a message",
  },
  {
    name: "TEST_LOG_LEVEL",
    meaning: "the level the gateway logs at in test files that do not read its lines (`info` shows every access line)",
    default: "`warn`",
  },
  {
    name: "FUZZ_SEED",
    meaning: "seed of the security suite's fuzzing (`test/security/*-hostile.test.ts`); a failure prints its seed",
    default: "`20261125`",
  },
  {
    name: "TEST_REDIS_URL",
    meaning: "the Redis for the shared rate-limit and two-gateway event tests",
    default: "`redis://127.0.0.1:6379`; skipped, with a message, when unreachable",
  },
];

interface GeneratedTable {
  /** The marker's name: `<!-- generated: NAME (npm run docs:tables) -->` … `<!-- end generated: NAME -->`. */
  name: string;
  /** The page under docs/. */
  page: string;
  render(): string;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export const GENERATED_TABLES: GeneratedTable[] = [
  {
    name: "settings",
    page: "operations.md",
    render: () =>
      table(
        ["variable", "meaning", "default"],
        SETTINGS.map((setting) => [`\`${setting.name}\``, setting.meaning, setting.default]),
      ),
  },
  {
    name: "stripe-settings",
    page: "payments.md",
    render: () =>
      table(
        ["variable", "meaning", "default"],
        SETTINGS.filter((setting) => setting.name.startsWith("STRIPE_")).map((setting) => [
          `\`${setting.name}\``,
          setting.meaning,
          setting.default,
        ]),
      ),
  },
  {
    name: "test-settings",
    page: "operations.md",
    render: () =>
      table(
        ["variable", "meaning", "default"],
        TEST_SETTINGS.map((setting) => [`\`${setting.name}\``, setting.meaning, setting.default]),
      ),
  },
  {
    name: "event-types",
    page: "events-and-webhooks.md",
    render: () =>
      table(
        ["type", "when"],
        EVENT_TYPES.map((type) => [
          `\`${type}\``,
          EVENT_TYPE_WHEN[type] ?? "(not described yet: add it to EVENT_TYPE_WHEN in test/support/docs-tables.ts)",
        ]),
      ),
  },
];

const begin = (name: string) => `<!-- generated: ${name} (npm run docs:tables) -->`;
const end = (name: string) => `<!-- end generated: ${name} -->`;

/** `text` with the table between its markers replaced by `body`; throws when the markers are missing. */
export function withTable(text: string, name: string, body: string): string {
  const start = text.indexOf(begin(name));
  const stop = text.indexOf(end(name));
  if (start < 0 || stop < start) throw new Error(`the page has no markers "${begin(name)}" … "${end(name)}"`);
  return `${text.slice(0, start + begin(name).length)}\n\n${body}\n\n${text.slice(stop)}`;
}

/** Each page under docs/ that holds a generated table, as it should read. */
export function renderPages(): Map<string, { current: string; expected: string }> {
  const pages = new Map<string, { current: string; expected: string }>();
  for (const generated of GENERATED_TABLES) {
    const page = pages.get(generated.page) ?? {
      current: fs.readFileSync(new URL(generated.page, DOCS_DIRECTORY), "utf8"),
      expected: "",
    };
    page.expected = withTable(page.expected || page.current, generated.name, generated.render());
    pages.set(generated.page, page);
  }
  return pages;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const [page, { current, expected }] of renderPages()) {
    if (current === expected) continue;
    fs.writeFileSync(new URL(page, DOCS_DIRECTORY), expected);
    console.log(`docs/${page}: tables rewritten`);
  }
}
