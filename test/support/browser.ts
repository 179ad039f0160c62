// A real browser for the page tests: Debian's chromium driven by playwright-core (.ci/run installs
// chromium when it is missing). Without any chromium the browser tests skip, saying so loudly.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function findChromium(): string | null {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const path = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
      if (path) return path;
    } catch {
      // Not on PATH under that name.
    }
  }
  return null;
}

export const chromiumPath = findChromium();

if (!chromiumPath) {
  const notice =
    "\n*** Browser tests SKIPPED: no chromium found (apt-get install -y chromium). The console and GraphiQL pages were NOT tested in a browser. ***\n";
  console.warn(notice);
  process.on("exit", () => console.warn(notice));
}

/** `describe`, skipped (loudly, above) when there is no chromium. */
export const describeInBrowser = chromiumPath ? describe : describe.skip;

export interface BrowserFixture {
  /** A fresh page (its own storage) for each call, and the script errors it has thrown so far. */
  newPage(): Promise<{ page: Page; errors: Error[] }>;
}

export function useBrowser(): BrowserFixture {
  let browser: Browser | null = null;
  beforeAll(async () => {
    if (chromiumPath) browser = await chromium.launch({ executablePath: chromiumPath, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async newPage() {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const errors: Error[] = [];
      page.on("pageerror", (error) => errors.push(error));
      return { page, errors };
    },
  };
}
