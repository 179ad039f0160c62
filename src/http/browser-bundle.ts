// The scripts the gateway's own pages run (src/browser/), compiled from TypeScript with esbuild
// when first served: one self-contained file per page, nothing fetched from elsewhere.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Bundles src/browser/<entry> and what it imports into one minified script. */
export async function bundleForBrowsers(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../browser/${entry}`, import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    minify: true,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}
