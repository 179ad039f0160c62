// GraphiQL's first minute in a real browser: nothing failed before anything is run, the token is
// pasted where the page says, the first tab runs by itself and Docs loads the schema, all within
// the page's Content-Security-Policy; it fits a phone; and another page cannot frame it.
import { expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { createWalletVia, useGateway } from "../support/app.ts";
import { describeInBrowser, useBrowser } from "../support/browser.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);
const browser = useBrowser();

/** An editor's text; the editor draws spaces as no-break spaces. */
const text = async (editor: Locator) => (await editor.innerText()).replace(/\u00a0/g, " ");
const results = (page: Page) => text(page.locator(".graphiql-response"));

/** Pastes into the focused editor as a clipboard paste would (the editor's own paste handling). */
async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate((pasted) => {
    const clipboardData = new DataTransfer();
    clipboardData.setData("text/plain", pasted);
    document.activeElement!.dispatchEvent(new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }));
  }, text);
}

/** What the browser refused under the page's Content-Security-Policy, as it reports it on the console. */
function policyViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

describeInBrowser("GraphiQL", () => {
  it("says where the token goes, then runs the first tab and loads the schema once it is pasted", async () => {
    await createWalletVia(gateway, "cus_graphiql");
    const { page, errors } = await browser.newPage();
    const violations = policyViolations(page);
    const unauthenticated: string[] = [];
    page.on("response", (response) => {
      if (response.status() === 401) unauthenticated.push(response.url());
    });
    await page.goto(`${http.baseUrl}/graphql`);

    // Before anything is run: the hint, no UNAUTHENTICATED, no request refused.
    await expect.poll(() => results(page)).toContain("PASTE_YOUR_TOKEN_HERE");
    expect(await results(page)).not.toContain("UNAUTHENTICATED");
    expect(unauthenticated).toEqual([]);
    const headers = page.locator(".graphiql-editor-tool .graphiql-editor").last();
    await expect.poll(() => text(headers)).toContain("Bearer PASTE_YOUR_TOKEN_HERE");

    // Paste the token over the template, as most people will.
    await headers.click();
    await page.keyboard.press("Control+A");
    await paste(page, JSON.stringify({ Authorization: `Bearer ${gateway.token}` }, null, 2));

    // The first tab ran by itself and shows the token's wallets.
    await expect.poll(() => results(page), { timeout: 15_000 }).toContain('"cus_graphiql"');
    expect(await results(page)).toContain('"slug": "acme"');

    // Docs has the schema (fetched again with the token), down to a field's description.
    await page.locator('button[aria-label^="Show Documentation Explorer"]').click();
    const docs = page.locator(".graphiql-doc-explorer");
    await docs.getByText("Query", { exact: true }).click();
    await expect.poll(() => docs.innerText()).toContain("wallets");
    expect(await docs.innerText()).not.toContain("Error fetching schema");

    expect(unauthenticated).toEqual([]);
    expect(errors).toEqual([]);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it("fits a phone (390 px): query above its result, each the page's width, Docs above both, nothing scrolls sideways", async () => {
    const { page, errors } = await browser.newPage();
    const violations = policyViolations(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${http.baseUrl}/graphql`);
    await expect.poll(() => results(page)).toContain("PASTE_YOUR_TOKEN_HERE");
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
    const [query, response] = [await box(".graphiql-query-editor"), await box(".graphiql-response")];
    expect(query.width).toBeGreaterThan(300);
    expect(response.width).toBeGreaterThan(300);
    expect(response.y).toBeGreaterThanOrEqual(query.y + query.height);
    // The hint reads as lines of words, not a letter a line.
    expect((await results(page)).split("\n").some((line) => line.trim().split(/\s+/).length >= 3)).toBe(true);
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    await page.locator('button[aria-label^="Show Documentation Explorer"]').click();
    const docs = await box(".graphiql-plugin");
    expect(docs.width).toBeGreaterThan(300);
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it("cannot be framed by another page", async () => {
    const { page } = await browser.newPage();
    const violations = policyViolations(page);
    const loaded = page.waitForResponse((response) => response.url() === `${http.baseUrl}/graphql`);
    await page.setContent(`<iframe src="${http.baseUrl}/graphql" width="800" height="600"></iframe>`);
    await loaded;
    await expect.poll(() => violations.join("\n")).toContain("frame-ancestors");
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame())!;
    expect(await frame.locator("#root").count()).toBe(0);
    await page.context().close();
  });

  it("runs nothing by itself once the first query has been changed", async () => {
    const { page, errors } = await browser.newPage();
    await page.goto(`${http.baseUrl}/graphql`);
    await expect.poll(() => results(page)).toContain("PASTE_YOUR_TOKEN_HERE");
    await page.locator(".graphiql-query-editor").click();
    await page.keyboard.press("Control+A");
    await paste(page, 'mutation { createWallet(input: {customerExternalId: "cus_not_run", currency: "USD"}) { __typename } }');
    const headers = page.locator(".graphiql-editor-tool .graphiql-editor").last();
    await headers.click();
    await page.keyboard.press("Control+A");
    await paste(page, JSON.stringify({ Authorization: `Bearer ${gateway.token}` }));

    // The schema is fetched again with the token (Docs loads), and the mutation waits for a person.
    await page.locator('button[aria-label^="Show Documentation Explorer"]').click();
    const docs = page.locator(".graphiql-doc-explorer");
    await expect.poll(() => docs.innerText(), { timeout: 15_000 }).toContain("Root Types");
    expect(await results(page)).not.toContain("CreateWalletPayload");
    expect((await gateway.graphql(`{ customer(externalId: "cus_not_run") { id } }`)).data.customer).toBeNull();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
