// The console acts: each action is done through the page (a form, a confirmation, Confirm) at a
// desktop and a phone width, and checked against the ledger through the API; a double click is
// one operation; a read token sees no actions; a customer's name and email are edited and read
// back. Leaves screenshots in test/artifacts/.
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { createApp } from "../../src/app.ts";
import { issueToken } from "../../src/auth/tokens.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { createWalletVia, useGateway } from "../support/app.ts";
import { describeInBrowser, useBrowser } from "../support/browser.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);
const browser = useBrowser();
let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await startFakeStripe();
  const payments = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!);
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments });
});
afterAll(() => stripe?.close());

const WIDTHS = [1280, 390] as const;
/** Seven actions, each read back through the API: more than a test's usual time on a busy machine. */
const ACTIONS_TIME_LIMIT_MS = 180_000;

async function mutate(field: string, input: Record<string, unknown>): Promise<Record<string, any>> {
  const type = `${field[0]!.toUpperCase()}${field.slice(1)}`;
  const reply = await gateway.graphql(
    `mutation($input: ${type}Input!) { ${field}(input: $input) { __typename ... on Error { code message } ... on ${type}Payload { hold { id } } } }`,
    { input },
  );
  expect(reply.data[field].__typename, JSON.stringify(reply)).toBe(`${type}Payload`);
  return reply.data[field];
}

const LEDGER = `query($id: ID!) {
  wallet(id: $id) {
    balance { available total byCategory { category total } }
    holds { id }
    autoTopUp { threshold amount targetBalance }
    balanceAlerts(first: 10) { totalCount edges { node { threshold } } }
    topUps(first: 10) { totalCount edges { node { status amount stripePaymentIntentId } } }
    ledgerEntries(first: 50) { edges { node { type amount } } }
  }
}`;

/** The wallet as the API tells it. */
async function ledgerOf(walletId: string) {
  const reply = await gateway.graphql(LEDGER, { id: walletId });
  expect(reply.errors).toBeUndefined();
  return reply.data.wallet;
}

async function openConsole(page: Page, token: string, width: number): Promise<void> {
  // A step that cannot happen fails with what it waited for, rather than at the test's time limit.
  page.setDefaultTimeout(20_000);
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`${http.baseUrl}/console`);
  await page.getByRole("textbox", { name: "API token" }).fill(token);
  await page.getByRole("button", { name: "Open" }).click();
  await expect.poll(() => page.locator("#account").textContent()).toContain("acme");
}

async function settled(region: Locator): Promise<void> {
  await expect.poll(() => region.locator("[aria-busy]").count()).toBe(0);
}

/** Fills an action's form, reviews it, checks what the confirmation says, confirms with a double click. */
async function act(page: Page, title: string, fill: (form: Locator) => Promise<void>, says: RegExp): Promise<void> {
  const form = page.getByRole("form", { name: title });
  await fill(form);
  await form.getByRole("button", { name: /^Review|Remove…$/ }).click();
  const confirmation = page.getByRole("group", { name: `Confirm: ${title}` });
  await expect.poll(() => confirmation.textContent()).toMatch(says);
  // Two clicks as fast as a person's double click: one operation.
  await confirmation.getByRole("button", { name: "Confirm" }).dblclick();
}

async function notice(page: Page): Promise<string | null> {
  return page.locator("#actions").getByTestId("action-done").textContent();
}

describeInBrowser("the console's actions", () => {
  it.each(WIDTHS)(
    "at %i px: grant, void, release a hold, top up, auto top-up rule and alerts, each once, as the ledger shows",
    async (width) => {
      const externalId = `cus_actions_${width}`;
      const walletId = await createWalletVia(gateway, externalId, undefined, { name: "main" });
      await mutate("deposit", { walletId, amount: "10000", category: "paid" });
      await mutate("hold", { walletId, amount: "500", reference: "job_1" });
      await gateway.graphql(`mutation($input: SetPaymentMethodInput!) { setPaymentMethod(input: $input) { __typename } }`, {
        input: { paymentMethodId: "pm_card_visa", customerExternalId: externalId },
      });

      const { page, errors } = await browser.newPage();
      // The mutations the page sends, with their variables.
      const sent: { operationName: string; input: Record<string, unknown> }[] = [];
      page.on("request", (request) => {
        const body = request.url().endsWith("/graphql") ? (request.postDataJSON() as { query?: string; variables?: any } | null) : null;
        const name = /^mutation (\w+)/.exec(body?.query ?? "")?.[1];
        if (name) sent.push({ operationName: name, input: body!.variables.input });
      });
      await openConsole(page, gateway.token, width);
      await page.evaluate((id) => (location.hash = `#/wallet/${encodeURIComponent(id)}`), walletId);
      const actions = page.locator("#actions");
      await expect.poll(() => actions.isVisible()).toBe(true);
      await settled(actions);

      // Grant: 25.00 of granted credits, once for a double click.
      await act(
        page,
        "Grant credits",
        (form) => form.getByRole("textbox", { name: "Amount" }).fill("25.00"),
        /Add 25\.00 USD of granted credits to this wallet.*do not expire/,
      );
      await expect.poll(() => notice(page)).toBe("Granted 25.00 USD of granted credits.");
      let wallet = await ledgerOf(walletId);
      expect(wallet.balance.byCategory).toContainEqual({ category: "granted", total: "2500" });
      expect(wallet.ledgerEntries.edges.filter((edge: any) => edge.node.type === "increment" && edge.node.amount === "2500")).toHaveLength(
        1,
      );
      // The double click sent one request, with a key of its own.
      expect(sent.filter((request) => request.operationName === "ConsoleDeposit")).toEqual([
        {
          operationName: "ConsoleDeposit",
          input: expect.objectContaining({ amount: "2500", idempotencyKey: expect.stringMatching(/^console-/) }),
        },
      ]);
      // The rest of the page follows: the balances show the grant.
      await expect.poll(() => page.locator('#balances [data-figure="total"]').textContent()).toMatch(/^125\.00/);

      // Void: 1.00.
      await act(page, "Void credits", (form) => form.getByRole("textbox", { name: "Amount" }).fill("1"), /Remove 1\.00 USD/);
      await expect.poll(() => notice(page)).toBe("Voided 1.00 USD.");
      wallet = await ledgerOf(walletId);
      expect(wallet.ledgerEntries.edges.filter((edge: any) => edge.node.type === "void")).toEqual([
        { node: { type: "void", amount: "-100" } },
      ]);

      // Release the hold.
      await act(page, "Release a hold", async () => undefined, /Release the hold of 5\.00 USD · job_1/);
      await expect.poll(() => notice(page)).toBe("Released the hold of 5.00 USD.");
      expect((await ledgerOf(walletId)).holds).toEqual([]);

      // Top up 20.00 with the card on file, through the fake Stripe: one charge.
      const charges = stripe.charges.length;
      await act(
        page,
        "Top up",
        (form) => form.getByRole("textbox", { name: "Amount" }).fill("20.00"),
        /Charge the customer's visa ending 4242 for 20\.00 USD/,
      );
      await expect.poll(() => notice(page)).toBe("Topped up 20.00 USD.");
      wallet = await ledgerOf(walletId);
      expect(wallet.topUps.totalCount).toBe(1);
      expect(wallet.topUps.edges[0].node).toMatchObject({ status: "succeeded", amount: "2000" });
      expect(stripe.charges.length - charges).toBe(1);
      const topUps = page.locator("#top-ups");
      await expect.poll(async () => (await topUps.locator("tbody tr").allTextContents()).join()).toContain("succeeded");
      expect(await topUps.locator("tbody tr").first().textContent()).toContain(wallet.topUps.edges[0].node.stripePaymentIntentId);

      // The auto top-up rule: below 10.00, add 50.00.
      await act(
        page,
        "Auto top-up rule",
        async (form) => {
          await form.getByRole("textbox", { name: "When available falls below" }).fill("10.00");
          await form.getByRole("textbox", { name: "Amount" }).fill("50.00");
        },
        /When available credits fall below 10\.00 USD, charge the customer's card through Stripe and add 50\.00 USD/,
      );
      await expect.poll(() => notice(page)).toBe("Saved the auto top-up rule.");
      expect((await ledgerOf(walletId)).autoTopUp).toEqual({ threshold: "1000", amount: "5000", targetBalance: null });
      await expect.poll(() => page.getByTestId("auto-top-up-now").textContent()).toBe("Now: below 10.00 USD, add 50.00 USD.");

      // A balance alert at 30.00, then removed.
      await act(
        page,
        "Add a balance alert",
        (form) => form.getByRole("textbox", { name: "Alert at or below" }).fill("30"),
        /reach 30\.00 USD or less/,
      );
      await expect.poll(() => notice(page)).toBe("Added an alert at 30.00 USD.");
      wallet = await ledgerOf(walletId);
      expect(wallet.balanceAlerts).toEqual({ totalCount: 1, edges: [{ node: { threshold: "3000" } }] });
      await act(page, "Remove the alert at 30.00 USD", async () => undefined, /Remove the balance alert at 30\.00 USD/);
      await expect.poll(() => notice(page)).toBe("Removed the alert at 30.00 USD.");
      expect((await ledgerOf(walletId)).balanceAlerts.totalCount).toBe(0);

      // A refusal is the gateway's typed error, shown where the action was asked; nothing changes.
      const before = await ledgerOf(walletId);
      await act(page, "Void credits", (form) => form.getByRole("textbox", { name: "Amount" }).fill("100000"), /Remove 100,000\.00 USD/);
      const voidCard = page.getByRole("group", { name: "Confirm: Void credits" }).locator("..");
      await expect.poll(() => voidCard.getByRole("alert").textContent()).toMatch(/\(INSUFFICIENT_CREDITS\)$/);
      expect(await ledgerOf(walletId)).toEqual(before);

      // The event log shows what was done, newest first.
      const events = page.locator("#events");
      await settled(events);
      await expect.poll(async () => (await events.locator("tbody tr").count()) > 0).toBe(true);
      expect(await events.locator("tbody tr td:nth-child(3)").allTextContents()).toContain("operation.completed");
      // More than a page of them: older ones a page further, back to the newest.
      const sequences = () => events.locator("tbody tr td:nth-child(1)").allTextContents();
      const newest = await sequences();
      expect(newest).toHaveLength(10);
      await events.getByRole("button", { name: "Older →" }).click();
      await settled(events);
      await expect.poll(async () => Number((await sequences())[0])).toBe(Number(newest[9]) - 1);
      await events.getByRole("button", { name: "← Newer" }).click();
      await settled(events);
      await expect.poll(sequences).toEqual(newest);

      // Nothing the actions add is wider than the screen.
      for (const part of ["#actions", "#top-ups", "#events"]) {
        const box = await page.locator(part).boundingBox();
        expect(box!.x + box!.width, part).toBeLessThanOrEqual(width);
      }
      // One request per confirmed action (the refused void included), each keyed apart but the alert's removal, which needs no key.
      expect(sent.map((request) => request.operationName)).toEqual([
        "ConsoleDeposit",
        "ConsoleVoid",
        "ConsoleReleaseHold",
        "ConsoleTopUp",
        "ConsoleUpdateWallet",
        "ConsoleCreateBalanceAlert",
        "ConsoleDeleteBalanceAlert",
        "ConsoleVoid",
      ]);
      const keys = sent
        .filter((request) => request.operationName !== "ConsoleDeleteBalanceAlert")
        .map((request) => request.input.idempotencyKey);
      expect(new Set(keys).size).toBe(7);
      mkdirSync("test/artifacts", { recursive: true });
      await page.screenshot({ path: `test/artifacts/console-actions-${width}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await page.context().close();
    },
    ACTIONS_TIME_LIMIT_MS,
  );

  it("shows a read token no actions and no customer editing", async () => {
    const walletId = await createWalletVia(gateway, "cus_read_only", undefined, { name: "main" });
    await mutate("deposit", { walletId, amount: "1000", category: "paid" });
    const readToken = await issueToken(gateway.db.prisma, { tenantSlug: "acme", test: false, role: "read" });
    const { page, errors } = await browser.newPage();
    await openConsole(page, readToken, 1280);
    await page.evaluate((id) => (location.hash = `#/wallet/${encodeURIComponent(id)}`), walletId);
    await expect.poll(() => page.locator('#balances [data-figure="available"]').textContent()).toMatch(/^10\.00/);
    await settled(page.locator("#actions"));
    await settled(page.locator("#top-ups"));
    expect(await page.locator("#actions").isVisible()).toBe(false);
    expect(await page.getByRole("button", { name: /Review|Confirm|Remove…/ }).count()).toBe(0);
    // What happened is still there to read.
    await settled(page.locator("#events"));
    expect(await page.locator("#events tbody tr").count()).toBeGreaterThan(0);

    await page.getByRole("link", { name: "Customer cus_read_only →" }).click();
    await expect.poll(() => page.locator('[data-detail="external id"]').textContent()).toBe("cus_read_only");
    expect(await page.getByRole("form", { name: "Edit customer" }).count()).toBe(0);

    // Webhook deliveries are for admin tokens: the gateway says why not.
    await page.evaluate(() => (location.hash = "#/webhooks"));
    await expect
      .poll(() => page.locator("#webhook-deliveries").getByRole("alert").textContent())
      .toMatch(/read token may not manage webhook endpoints/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it.each(WIDTHS)("at %i px: edits a customer's name and email on the customer page, read back from the API", async (width) => {
    const externalId = `cus_edit_${width}`;
    const walletId = await createWalletVia(gateway, externalId, undefined, { name: "main", customerName: "Before" });
    const { page, errors } = await browser.newPage();
    await openConsole(page, gateway.token, width);
    await page.evaluate((id) => (location.hash = `#/wallet/${encodeURIComponent(id)}`), walletId);
    await page.getByRole("link", { name: `Customer ${externalId} →` }).click();
    await expect.poll(() => page.locator('[data-detail="name"]').textContent()).toBe("Before");
    expect(await page.getByRole("table", { name: "Customer wallets" }).locator("tbody tr").allTextContents()).toHaveLength(1);

    const form = page.getByRole("form", { name: "Edit customer" });
    await form.getByRole("textbox", { name: "Name" }).fill("Ada Lovelace");
    await form.getByRole("textbox", { name: "Email" }).fill("ada@example.com");
    await form.getByRole("button", { name: "Review" }).click();
    const confirmation = page.getByRole("group", { name: "Confirm: Edit customer" });
    await expect.poll(() => confirmation.textContent()).toMatch(/Set the name to "Ada Lovelace"\..*Set the email to "ada@example\.com"\./);
    await confirmation.getByRole("button", { name: "Confirm" }).dblclick();
    await expect.poll(() => page.getByTestId("action-done").textContent()).toBe(`Saved ${externalId}.`);

    const read = await gateway.graphql(`query($id: String!) { customer(externalId: $id) { name email } }`, { id: externalId });
    expect(read.data.customer).toEqual({ name: "Ada Lovelace", email: "ada@example.com" });
    expect(await gateway.db.prisma.customerUpdate.count({ where: { customer: { externalId } } })).toBe(1);
    await expect.poll(() => page.locator('[data-detail="email"]').textContent()).toBe("ada@example.com");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Ada Lovelace · ${externalId}`);

    const box = await page.locator("#customer").boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(width);
    mkdirSync("test/artifacts", { recursive: true });
    await page.screenshot({ path: `test/artifacts/console-customer-${width}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("lists webhook deliveries for an admin token, with their status and attempts", async () => {
    const reply = await gateway.graphql(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on Error { code message } } }`,
      { input: { url: "https://93.184.215.14/console-hooks", eventTypes: ["*"] } },
    );
    expect(reply.data.createWebhookEndpoint.__typename, JSON.stringify(reply)).toBe("CreateWebhookEndpointPayload");
    const walletId = await createWalletVia(gateway, "cus_hooked");
    await mutate("deposit", { walletId, amount: "700", category: "paid" });
    const { page, errors } = await browser.newPage();
    await openConsole(page, gateway.token, 1280);
    await page.evaluate(() => (location.hash = "#/webhooks"));
    const deliveries = page.locator("#webhook-deliveries");
    await settled(deliveries);
    await expect.poll(() => deliveries.locator("h3").first().textContent()).toContain("https://93.184.215.14/console-hooks");
    const rows = deliveries.getByRole("table", { name: "Deliveries to https://93.184.215.14/console-hooks" }).locator("tbody tr");
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const cells = await rows.first().locator("td").allTextContents();
    expect(cells[1]).toMatch(/^[a-z_.]+ #\d+$/);
    expect(["pending", "succeeded", "failed"]).toContain(cells[3]);
    expect(cells[4]).toMatch(/^\d+$/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
