// The wallet console in a real browser: seeded through the API, then read back from the page as
// a person would, search, pages, filters and chart included. Leaves a screenshot in
// test/artifacts/ (the README's docs/console.png is one of them).
import { mkdirSync } from "node:fs";
import { expect, it } from "vitest";
import type { Locator, Page, Request } from "playwright-core";
import { useGateway, createWalletVia, type GatewayFixture } from "../support/app.ts";
import { describeInBrowser, useBrowser } from "../support/browser.ts";
import { useHttp } from "../support/http.ts";
import { DAY, HOUR } from "../support/ledger.ts";

const gateway = useGateway();
const http = useHttp(gateway);
const browser = useBrowser();

const SCREENSHOT = `test/artifacts/console-${process.env.TEST_DATABASE_KIND ?? "pglite"}.png`;
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

describeInBrowser("the wallet console", () => {
  it("shows what was seeded: customers, wallets, balances, chart, blocks, holds and ledger, a page at a time", async () => {
    const { promoExpiry } = await seed();
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
    expect(await rows(page, "Wallets")).toEqual([["main", "cus_alpha", "USD", "active", "110.00", "125.00"]]);
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

    await entries.getByRole("combobox", { name: "Type" }).selectOption("");
    await entries.getByRole("button", { name: "Filter" }).click();
    await settled(entries);
    mkdirSync("test/artifacts", { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`console screenshot: ${SCREENSHOT}`);

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
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);
    expect([...sentTo]).toEqual(["/graphql"]);
    expect(errors).toEqual([]);
    await page.context().close();
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
