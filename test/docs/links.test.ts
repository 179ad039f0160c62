// Every link between the README and the pages of docs/ leads somewhere: the file exists, and a
// `#heading` names a heading of that page (as GitHub makes anchors of headings).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pages = ["README.md", ...fs.readdirSync(path.join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(file: string): Set<string> {
  const text = fs.readFileSync(path.join(root, file), "utf8").replace(/^```[\s\S]*?^```$/gm, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

function linksOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8").replace(/^```[\s\S]*?^```$/gm, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
}

it.each(pages)("%s links only to files and headings that exist", (page) => {
  const broken: string[] = [];
  for (const link of linksOf(page)) {
    const [target, anchor] = link.split("#") as [string, string | undefined];
    const file = target ? path.normalize(path.join(path.dirname(page), target)) : page;
    if (!fs.existsSync(path.join(root, file))) {
      broken.push(`${link}: no file ${file}`);
      continue;
    }
    if (anchor && file.endsWith(".md") && !anchorsOf(file).has(anchor)) broken.push(`${link}: no heading "#${anchor}" in ${file}`);
  }
  expect(broken).toEqual([]);
});
