// The wallet console in a real browser: seeded through the API, then read back from the page as
// a person would, search, pages, filters, chart and CSV export included, on a desktop (1280 px)
// and on a phone (390 px), where the page never scrolls sideways. Leaves screenshots in
// test/artifacts/; with CONSOLE_SCREENSHOTS=1 it also writes the documentation's
// docs/console.png (1280 px) and docs/console-phone.png (390 px).
import { mkdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Locator, Page, Request } from "playwright-core";
import { csvField, toCsv } from "../../src/browser/console/csv.ts";
import { amountAxis, timeAxis } from "../../src/browser/console/chart.ts";
import { useGateway, createWalletVia, type GatewayFixture } from "../support/app.ts";
import { describeInBrowser, useBrowser } from "../support/browser.ts";
import { useHttp } from "../support/http.ts";
import { DAY, HOUR } from "../support/ledger.ts";

const gateway = useGateway();
const http = useHttp(gateway);
const browser = useBrowser();

const SCREENSHOT = `test/artifacts/console-${process.env.TEST_DATABASE_KIND ?? "pglite"}.png`;
const PHONE_SCREENSHOT = `test/artifacts/console-phone-${process.env.TEST_DATABASE_KIND ?? "pglite"}.png`;
/** Set to refresh the documentation's screenshots. */
const DOCS_SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === "1";
const PHONE = { width: 390, height: 844 };
/** Shown as text, never run: the page builds no HTML from data. */
const HOSTILE_NAME = `Ada <img src=x onerror="document.title='owned'">`;

async function mutate(gateway: GatewayFixture, field: string, input: Record<string, unknown>) {
  const reply = await gateway.graphql(
    `mutation($input: ${field[0]!.toUpperCase()}${field.slice(1)}Input!) { ${field}(input: $input) { __typename ... on Error { code message } } }`,
    { input },
  );
  expect(reply.data[field].__typename, JSON.stringify(reply)).not.toMatch(/Error$/);
}

/** The alpha customer's wallet: 100.00 paid and 25.00 promo, ten debits of 1.00 a day apart (promo first: it expires), one hold of 5.00. */
async function seed(): Promise<{ walletId: string; promoExpiry: Date }> {
  // Twelve more customers with a wallet each: thirteen in all, two pages of ten.
  for (let n = 1; n <= 12; n++) await createWalletVia(gateway, `cus_${String(n).padStart(2, "0")}`);
  gateway.clock.advance(HOUR);
  const walletId = await createWalletVia(gateway, "cus_alpha", undefined, { customerName: HOSTILE_NAME, name: "main" });
  const promoExpiry = new Date(gateway.clock.now().getTime() + 60 * DAY);
  promoExpiry.setUTCMilliseconds(0);
  await mutate(gateway, "deposit", { walletId, amount: "10000", category: "paid" });
  await mutate(gateway, "deposit", { walletId, amount: "2500", category: "promo", expiresAt: promoExpiry.toISOString() });
  for (let n = 1; n <= 10; n++) {
    gateway.clock.advance(DAY);
    await mutate(gateway, "debit", { walletId, amount: "100", reference: `ord_${n}` });
  }
  gateway.clock.advance(HOUR);
  await mutate(gateway, "hold", { walletId, amount: "500", reference: "job_9", description: "render job" });
  return { walletId, promoExpiry };
}

interface ApiEntry {
  id: string;
  sequence: string;
  createdAt: string;
  type: string;
  status: string;
  amount: string;
  endingBalance: string;
  reference: string | null;
  description: string | null;
  block: { category: string } | null;
}

/** A wallet's whole ledger from the API, newest first. */
async function ledgerFromApi(walletId: string): Promise<ApiEntry[]> {
  const entries: ApiEntry[] = [];
  let after: string | null = null;
  do {
    const reply: {
      data: { wallet: { ledgerEntries: { pageInfo: { endCursor: string; hasNextPage: boolean }; edges: { node: ApiEntry }[] } } };
    } = await gateway.graphql(
      `query($id: ID!, $after: String) { wallet(id: $id) { ledgerEntries(first: 100, after: $after) {
          pageInfo { endCursor hasNextPage }
          edges { node { id sequence createdAt type status amount endingBalance reference description block { category } } }
        } } }`,
      { id: walletId, after },
    );
    const page = reply.data.wallet.ledgerEntries;
    entries.push(...page.edges.map((edge) => edge.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return entries;
}

/** The rows of a table named by its caption, each as its cells' text. */
async function rows(page: Page, caption: string): Promise<string[][]> {
  const table = page.getByRole("table", { name: caption });
  await table.waitFor();
  return table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
}

async function settled(region: Locator): Promise<void> {
  await expect.poll(() => region.locator("[aria-busy]").count()).toBe(0);
}

const minute = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** How far the page scrolls sideways: 0 when everything fits the window. */
const pageOverflow = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

async function openConsole(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.getByRole("textbox", { name: "API token" }).fill(token);
  await page.getByRole("button", { name: "Open" }).click();
  await expect.poll(() => page.locator("#account").textContent()).toContain("acme");
}

/** The chart's time labels and its caption (what the labels leave out: UTC, the day or the year). */
async function chartLabels(chart: Locator): Promise<{ times: string[]; caption: string }> {
  const times = await chart.locator("text.time-label").allTextContents();
  return { times, caption: (await chart.locator("text.time-caption").textContent()) ?? "" };
}

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') ((field += '"'), index++);
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") (record.push(field), (field = ""));
    else if (char === "\r" && text[index + 1] === "\n") {
      record.push(field);
      records.push(record);
      ((record = []), (field = ""), index++);
    } else field += char;
  }
  expect(field, "the file ends with CRLF").toBe("");
  return records;
}

/** Minor units of a scale-2 currency as the exact decimal, worked out apart from the console's code. */
function cents(minor: string): string {
  const value = BigInt(minor);
  const size = value < 0n ? -value : value;
  return `${value < 0n ? "-" : ""}${size / 100n}.${(size % 100n).toString().padStart(2, "0")}`;
}

describeInBrowser("the wallet console", () => {
  it("shows what was seeded: customers, wallets, balances, chart, blocks, holds and ledger, a page at a time, at 1280 and 390 px", async () => {
    const { walletId, promoExpiry } = await seed();
    const { page, errors } = await browser.newPage();

    // The gateway's address opens the console, which asks for a token first.
    await page.goto(`${http.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe("/console");
    await page.getByRole("textbox", { name: "API token" }).fill(gateway.token);
    await page.getByRole("button", { name: "Open" }).click();
    await expect.poll(() => page.locator("#account").textContent()).toContain("acme");

    // Customers and wallets, ten to a page.
    const customers = page.locator("#customers");
    await settled(customers);
    expect(await rows(page, "Customers")).toHaveLength(10);
    await expect.poll(() => customers.locator(".count").textContent()).toBe("10 shown of 13");
    await customers.getByRole("button", { name: "Next →" }).click();
    await settled(customers);
    await expect.poll(async () => (await rows(page, "Customers")).map((row) => row[0])).toEqual(["cus_11", "cus_12", "cus_alpha"]);
    await customers.getByRole("button", { name: "← Previous" }).click();
    await settled(customers);
    await expect.poll(async () => (await rows(page, "Customers"))[0]![0]).toBe("cus_01");

    // Search by customer: the one customer, its name shown as text, and its wallet.
    await page.getByRole("textbox", { name: "Customer external id" }).fill("cus_alpha");
    await page.getByRole("button", { name: "Search" }).click();
    await expect
      .poll(async () => (await rows(page, "Customers"))[0])
      .toEqual(["cus_alpha", HOSTILE_NAME, "", expect.stringMatching(/UTC$/), "1"]);
    await settled(page.locator("#wallets"));
    // Amounts carry their currency.
    expect(await rows(page, "Wallets")).toEqual([["main", "cus_alpha", "active", "110.00 USD", "125.00 USD"]]);
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    await page.getByRole("link", { name: "main" }).click();

    // Balances, overall and by category.
    const balances = page.locator("#balances");
    await settled(balances);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("main · cus_alpha");
    const figure = (name: string) => balances.locator(`[data-figure="${name}"]`).textContent();
    expect(await figure("available")).toBe("110.00 USD");
    expect(await figure("total")).toBe("125.00 USD");
    expect(await figure("used")).toBe("10.00 USD");
    expect(await figure("frozen")).toBe("5.00 USD");
    expect(await rows(page, "Balances by category")).toEqual([
      ["paid", "100.00", "100.00", "0.00", "0.00"],
      ["promo", "10.00", "25.00", "10.00", "5.00"],
    ]);

    // The chart: one point per entry, oldest first, ending at the balance now.
    const chart = page.locator("#balance-history");
    await settled(chart);
    const points = await chart
      .locator("circle.balance-point")
      .evaluateAll((circles) => circles.map((circle) => circle.getAttribute("data-balance")));
    expect(points).toEqual([
      "10000",
      "12500",
      "12400",
      "12300",
      "12200",
      "12100",
      "12000",
      "11900",
      "11800",
      "11700",
      "11600",
      "11500",
      "11000",
    ]);
    const heights = await chart
      .locator("circle.balance-point")
      .evaluateAll((circles) => circles.map((circle) => Number(circle.getAttribute("cy"))));
    // Higher balances are drawn higher (smaller y), down to the last point.
    expect(heights[1]!).toBeLessThan(heights[0]!);
    expect(heights[12]!).toBeGreaterThan(heights[11]!);
    expect(await chart.locator("path.balance-line").getAttribute("d")).toMatch(/^M[\d.]+ [\d.]+(H[\d.]+ V[\d.]+){12}H[\d.]+$/);
    // It uses its card's width, and ten days are labelled by day, in UTC.
    const [chartWidth, cardWidth] = await chart.evaluate((card) => [
      card.querySelector("svg")!.getBoundingClientRect().width,
      card.querySelector(".section-body")!.getBoundingClientRect().width,
    ]);
    expect(chartWidth).toBeGreaterThan(cardWidth - 2);
    expect(chartWidth).toBeLessThanOrEqual(cardWidth);
    const labels = await chartLabels(chart);
    expect(labels.caption).toMatch(/^UTC, \d{4}(–\d{4})?$/);
    expect(labels.times.length).toBeGreaterThanOrEqual(8);
    expect(new Set(labels.times).size).toBe(labels.times.length);
    for (const label of labels.times) expect(label).toMatch(/^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$/);
    // Round amounts on the side, from zero to above the highest balance (125.00).
    expect(await chart.locator("text.amount-label").allTextContents()).toEqual(["0", "50", "100", "150"]);

    // Credit blocks, with what is left and when they count (both opened at one instant: in either order).
    await settled(page.locator("#blocks"));
    const blocks = await rows(page, "Credit blocks");
    expect(blocks.map((row) => [row[0], row[2], row[3], row[5], row[6]]).sort()).toEqual([
      ["paid", "100.00", "100.00", "never", "active"],
      ["promo", "25.00", "10.00", minute(promoExpiry), "active"],
    ]);
    expect(blocks.every((row) => /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/.test(row[4]!))).toBe(true);

    // The open hold.
    expect((await rows(page, "Open holds")).map((row) => row.slice(0, 3))).toEqual([["5.00", "job_9", "render job"]]);

    // The ledger, newest first, ten to a page, then filtered by type.
    const entries = page.locator("#entries");
    await settled(entries);
    let ledger = await rows(page, "Ledger entries");
    expect(ledger.map((row) => row[0])).toEqual(["13", "12", "11", "10", "9", "8", "7", "6", "5", "4"]);
    expect(ledger[0]!.slice(2, 8)).toEqual(["hold", "pending", "promo", "-5.00", "110.00", "job_9"]);
    expect(ledger[1]!.slice(2, 8)).toEqual(["decrement", "committed", "promo", "-1.00", "115.00", "ord_10"]);
    await entries.getByRole("button", { name: "Next →" }).click();
    await settled(entries);
    ledger = await rows(page, "Ledger entries");
    expect(ledger.map((row) => [row[0], row[2], row[5]])).toEqual([
      ["3", "decrement", "-1.00"],
      ["2", "increment", "25.00"],
      ["1", "increment", "100.00"],
    ]);
    await entries.getByRole("combobox", { name: "Type" }).selectOption("decrement");
    await entries.getByRole("button", { name: "Filter" }).click();
    await settled(entries);
    await expect.poll(() => entries.locator(".count").textContent()).toBe("10 shown of 10");
    expect((await rows(page, "Ledger entries")).every((row) => row[2] === "decrement")).toBe(true);

    // Days typed as the page shows them, in UTC, whatever the browser's locale; "until" takes the whole day.
    const all = await ledgerFromApi(walletId);
    const day = (entry: { createdAt: string }) => entry.createdAt.slice(0, 10);
    const [from, until] = [day(all.find((entry) => entry.sequence === "5")!), day(all.find((entry) => entry.sequence === "7")!)];
    await entries.getByRole("combobox", { name: "Type" }).selectOption("");
    expect(await entries.getByRole("textbox", { name: "From (UTC)" }).getAttribute("placeholder")).toBe("YYYY-MM-DD");
    await entries.getByRole("textbox", { name: "From (UTC)" }).fill(from);
    await entries.getByRole("textbox", { name: "Until (UTC, inclusive)" }).fill(until);
    await entries.getByRole("button", { name: "Filter" }).click();
    await settled(entries);
    // Newest first, as the page lists them.
    const inRange = all.filter((entry) => day(entry) >= from && day(entry) <= until).map((entry) => entry.sequence);
    expect(inRange.length).toBeGreaterThanOrEqual(3);
    await expect.poll(async () => (await rows(page, "Ledger entries")).map((row) => row[0])).toEqual(inRange);

    await entries.getByRole("textbox", { name: "From (UTC)" }).fill("");
    await entries.getByRole("textbox", { name: "Until (UTC, inclusive)" }).fill("");
    await entries.getByRole("button", { name: "Filter" }).click();
    await settled(entries);
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    mkdirSync("test/artifacts", { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`console screenshot: ${SCREENSHOT}`);
    if (DOCS_SCREENSHOTS) await page.screenshot({ path: "docs/console.png", fullPage: true });

    // On a phone: nothing scrolls the page sideways; the wide ledger scrolls inside its card.
    await page.setViewportSize(PHONE);
    await expect.poll(() => pageOverflow(page)).toBeLessThanOrEqual(0);
    const ledgerScroll = await entries.locator(".table-scroll").evaluate((box) => [box.scrollWidth, box.clientWidth]);
    expect(ledgerScroll[0]!).toBeGreaterThan(ledgerScroll[1]!);
    // The chart is drawn again at the phone's card width, still labelled (fewer, wider steps).
    await expect
      .poll(() => chart.evaluate((card) => card.querySelector("svg")!.getBoundingClientRect().width))
      .toBeLessThanOrEqual(PHONE.width - 20);
    const phoneLabels = await chartLabels(chart);
    expect(phoneLabels.times.length).toBeGreaterThanOrEqual(2);
    expect(phoneLabels.times.length).toBeLessThan(labels.times.length);
    expect(new Set(phoneLabels.times).size).toBe(phoneLabels.times.length);
    expect(phoneLabels.caption).toMatch(/^UTC/);
    await page.screenshot({ path: PHONE_SCREENSHOT, fullPage: true });
    if (DOCS_SCREENSHOTS) await page.screenshot({ path: "docs/console-phone.png", fullPage: true });
    await page.evaluate(() => (location.hash = "#/"));
    await settled(page.locator("#wallets"));
    await expect.poll(() => rows(page, "Wallets").then((found) => found.length)).toBe(10);
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);

    // Nothing from the data ran as markup, and no script failed.
    expect(await page.title()).toBe("Billing Gateway · Wallet console");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("keeps an open wallet current: a debit made through the API shows without reloading", async () => {
    const walletId = await createWalletVia(gateway, "cus_live", undefined, { name: "live" });
    await mutate(gateway, "deposit", { walletId, amount: "5000", category: "paid" });
    const { page, errors } = await browser.newPage();
    const openStreams = new Set<Request>();
    page.on("request", (request) => {
      if (request.headers()["accept"] === "text/event-stream") openStreams.add(request);
    });
    page.on("requestfinished", (request) => openStreams.delete(request));
    page.on("requestfailed", (request) => openStreams.delete(request));
    await page.goto(`${http.baseUrl}/console`);
    await page.getByRole("textbox", { name: "API token" }).fill(gateway.token);
    await page.getByRole("button", { name: "Open" }).click();
    await expect.poll(() => page.locator("#account").textContent()).toContain("acme");
    await page.evaluate((id) => (location.hash = `#/wallet/${encodeURIComponent(id)}`), walletId);

    const available = page.locator('#balances [data-figure="available"]');
    await expect.poll(() => available.textContent()).toBe("50.00 USD");
    await expect.poll(() => page.getByTestId("live-state").textContent()).toBe("live");
    expect(openStreams.size).toBe(1);

    await mutate(gateway, "debit", { walletId, amount: "1250", reference: "ord_live" });
    await expect.poll(() => available.textContent(), { timeout: 10_000 }).toBe("37.50 USD");
    await expect.poll(async () => (await rows(page, "Ledger entries"))[0]?.[7]).toBe("ord_live");

    // Leaving the wallet ends its stream.
    await page.evaluate(() => (location.hash = "#/"));
    await expect.poll(() => openStreams.size).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("keeps the token in the browser and asks again when the gateway refuses it", async () => {
    const { page, errors } = await browser.newPage();
    const sentTo = new Set<string>();
    page.on("request", (request) => {
      if (request.headers()["authorization"]) sentTo.add(new URL(request.url()).pathname);
    });
    await page.goto(`${http.baseUrl}/console`);
    await page.getByRole("textbox", { name: "API token" }).fill("bg_live_not-a-real-token");
    await page.getByRole("button", { name: "Open" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/token/i);
    // The form stays, with the gateway's reason, ready for another token.
    expect(await page.getByRole("form", { name: "Open the console with a token" }).isVisible()).toBe(true);
    expect(await page.getByRole("textbox", { name: "API token" }).isEditable()).toBe(true);
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);

    // The same on a phone, and the right token then opens the console.
    await page.setViewportSize(PHONE);
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    await page.getByRole("textbox", { name: "API token" }).fill(gateway.token);
    await page.getByRole("button", { name: "Open" }).click();
    await expect.poll(() => page.locator("#account").textContent()).toContain("acme");
    expect([...sentTo]).toEqual(["/graphql"]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("says how to fill an empty tenant", async () => {
    const { page, errors } = await browser.newPage();
    // Test mode keeps its data apart: this token's tenant has no customers or wallets there.
    await openConsole(page, http.baseUrl, await gateway.issue("acme", { test: true }));
    await settled(page.locator("#customers"));
    const customersHint = page.locator("#customers [role=status]");
    await expect.poll(() => customersHint.textContent()).toMatch(/^No customers yet\. .*createWallet/);
    expect(await customersHint.getByRole("link", { name: "GraphiQL" }).getAttribute("href")).toBe("/graphql");
    await settled(page.locator("#wallets"));
    expect(await page.locator("#wallets [role=status]").textContent()).toMatch(/^No wallets yet\. .*createWallet/);
    await page.setViewportSize(PHONE);
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("shows scoped credits: each block's feature keys, and what usage of each feature can spend", async () => {
    const walletId = await createWalletVia(gateway, "cus_scoped", undefined, { name: "scoped" });
    await mutate(gateway, "deposit", { walletId, amount: "5000", category: "paid", appliesTo: ["api_calls"] });
    await mutate(gateway, "deposit", { walletId, amount: "1000", category: "promo", appliesTo: ["storage", "api_calls"] });
    await mutate(gateway, "deposit", { walletId, amount: "250", category: "granted" });
    const expected = (
      await gateway.graphql(`query($id: ID!) { wallet(id: $id) { balancesByFeature { feature available total used frozen } } }`, {
        id: walletId,
      })
    ).data.wallet.balancesByFeature as { feature: string; available: string; total: string; used: string; frozen: string }[];
    expect(expected.length).toBeGreaterThanOrEqual(2);

    const { page, errors } = await browser.newPage();
    await openConsole(page, http.baseUrl, gateway.token);
    await page.evaluate((id) => (location.hash = `#/wallet/${encodeURIComponent(id)}`), walletId);
    await settled(page.locator("#balances"));
    expect(await rows(page, "Balances by feature")).toEqual(
      expected.map((row) => [row.feature, cents(row.available), cents(row.total), cents(row.used), cents(row.frozen)]),
    );
    await settled(page.locator("#blocks"));
    const blocks = await rows(page, "Credit blocks");
    expect(blocks.map((row) => [row[0], row[7]]).sort()).toEqual([
      ["granted", "any usage"],
      ["paid", "api_calls"],
      ["promo", expect.stringMatching(/^(storage, api_calls|api_calls, storage)$/)],
    ]);
    await page.setViewportSize(PHONE);
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("downloads the ledger as CSV: every entry through every page, exact amounts, quoted text", async () => {
    const walletId = await createWalletVia(gateway, "cus_csv", undefined, { name: "export" });
    // More than a float holds exactly (2^53 + 1 cents), and more entries than one page of 100.
    await mutate(gateway, "deposit", { walletId, amount: "9007199254740993", category: "paid" });
    const awkward = 'says "hi", then\nleaves';
    for (let n = 1; n <= 104; n++) {
      gateway.clock.advance(HOUR);
      await mutate(gateway, "debit", {
        walletId,
        amount: String(n),
        reference: `ord,${n}`,
        description: n === 1 ? awkward : n === 2 ? "=HYPERLINK(1)" : `line ${n}`,
      });
    }
    const { page, errors } = await browser.newPage();
    let exportPages = 0;
    page.on("request", (request) => {
      if (request.postData()?.includes("ConsoleLedgerExport")) exportPages++;
    });
    await openConsole(page, http.baseUrl, gateway.token);
    await page.evaluate((id) => (location.hash = `#/wallet/${encodeURIComponent(id)}`), walletId);
    const entries = page.locator("#entries");
    await settled(entries);
    await expect.poll(() => entries.locator(".count").textContent()).toBe("10 shown of 105");

    const [download] = await Promise.all([page.waitForEvent("download"), entries.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^ledger-cus_csv-USD-export-\d{4}-\d\d-\d\d\.csv$/);
    const text = readFileSync((await download.path())!, "utf8");
    expect(exportPages).toBe(2);

    const [header, ...records] = parseCsv(text);
    expect(header).toEqual([
      "sequence",
      "created_at",
      "type",
      "status",
      "category",
      "amount",
      "balance_after",
      "currency",
      "amount_minor",
      "balance_after_minor",
      "reference",
      "description",
      "entry_id",
    ]);
    // Oldest first, the ledger exactly as the API has it.
    const ledger = (await ledgerFromApi(walletId)).reverse();
    expect(ledger).toHaveLength(105);
    expect(records).toEqual(
      ledger.map((entry) => [
        entry.sequence,
        entry.createdAt,
        entry.type,
        entry.status,
        entry.block?.category ?? "overdraft",
        cents(entry.amount),
        cents(entry.endingBalance),
        "USD",
        entry.amount,
        entry.endingBalance,
        entry.reference ?? "",
        // Text a spreadsheet would run as a formula is kept as text.
        entry.description === "=HYPERLINK(1)" ? "'=HYPERLINK(1)" : (entry.description ?? ""),
        entry.id,
      ]),
    );
    expect(records[0]!.slice(5, 10)).toEqual(["90071992547409.93", "90071992547409.93", "USD", "9007199254740993", "9007199254740993"]);
    expect(records[1]!.slice(10, 12)).toEqual(["ord,1", awkward]);
    expect(records[104]![9]).toBe(String(9007199254740993n - (104n * 105n) / 2n));
    await expect.poll(() => entries.locator(".export [role=status]").textContent()).toBe("downloaded");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe("the console's CSV", () => {
  it("quotes what needs quoting, doubles quotes, ends records with CRLF", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(toCsv([{ name: "n", value: (row: string) => row }], ["1", "-2"])).toBe("n\r\n1\r\n-2\r\n");
  });

  it("keeps free text that a spreadsheet would run as text, and leaves amounts as they are", () => {
    for (const start of ["=", "+", "-", "@", "\t"]) expect(csvField(`${start}1`, true)).toBe(`'${start}1`);
    expect(csvField("-1", false)).toBe("-1");
    expect(csvField("=A1,B1", true)).toBe(`"'=A1,B1"`);
  });
});

describe("the console chart's axes", () => {
  const at = (iso: string) => Date.parse(iso);

  it("label an afternoon by time, with the day in the caption, all in UTC", () => {
    const axis = timeAxis(at("2026-12-07T13:05:00Z"), at("2026-12-07T17:40:00Z"), 6);
    expect(axis.ticks.map((tick) => tick.label)).toEqual(["14:00", "15:00", "16:00", "17:00"]);
    expect(axis.caption).toBe("UTC, 2026-12-07");
  });

  it("name the day at midnight when minutes cross it", () => {
    const axis = timeAxis(at("2026-12-07T22:50:00Z"), at("2026-12-08T01:10:00Z"), 4);
    expect(axis.ticks.map((tick) => tick.label)).toEqual(["23:00", "8 Dec", "01:00"]);
    expect(axis.caption).toBe("UTC, 2026-12-07 to 2026-12-08");
  });

  it("label weeks by day and years by month", () => {
    const weeks = timeAxis(at("2026-11-20T10:00:00Z"), at("2026-12-07T10:00:00Z"), 10);
    expect(weeks.ticks.map((tick) => tick.label)).toEqual([
      "21 Nov",
      "23 Nov",
      "25 Nov",
      "27 Nov",
      "29 Nov",
      "1 Dec",
      "3 Dec",
      "5 Dec",
      "7 Dec",
    ]);
    expect(weeks.caption).toBe("UTC, 2026");
    const years = timeAxis(at("2025-02-10T00:00:00Z"), at("2026-12-07T00:00:00Z"), 8);
    expect(years.ticks.map((tick) => tick.label)).toEqual([
      "Apr 2025",
      "Jul 2025",
      "Oct 2025",
      "Jan 2026",
      "Apr 2026",
      "Jul 2026",
      "Oct 2026",
    ]);
  });

  it("put round amounts from zero past the highest balance, exactly, at any size", () => {
    expect(amountAxis(10000n, 12500n, 2, 5).map((tick) => tick.label)).toEqual(["0", "50", "100", "150"]);
    expect(amountAxis(-250n, 1000n, 2, 5).map((tick) => tick.label)).toEqual(["-5", "0", "5", "10"]);
    expect(amountAxis(0n, 3n, 2, 5).map((tick) => tick.label)).toEqual(["0.00", "0.01", "0.02", "0.03"]);
    const huge = amountAxis(0n, 9007199254740993n, 2, 5);
    expect(huge.map((tick) => tick.at)).toEqual([
      0n,
      2000000000000000n,
      4000000000000000n,
      6000000000000000n,
      8000000000000000n,
      10000000000000000n,
    ]);
  });
});

describeInBrowser("the console's files", () => {
  it("are served with their types, compressed, cacheable, and under a policy that allows this gateway only", async () => {
    for (const [path, type] of [
      ["/console", "text/html; charset=utf-8"],
      ["/console/console.js", "text/javascript; charset=utf-8"],
      ["/console/console.css", "text/css; charset=utf-8"],
    ] as const) {
      const response = await gateway.app.fetch(new Request(`http://gateway.test${path}`, { headers: { "accept-encoding": "gzip, br" } }));
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe(type);
      expect(response.headers.get("content-encoding")).toBe("br");
      expect(response.headers.get("etag")).toBeTruthy();
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(response.headers.get("content-security-policy")).toContain("connect-src 'self'");
    }
  });
});
