import { issueToken } from "../auth/tokens.ts";
import type { CliCommand } from "./main.ts";

/** `token create --tenant <slug> [--test] [--customer <externalId>] [--prefix <p>]`: prints only the token. */
export const runToken: CliCommand = async (db, args) => {
  const [action, ...rest] = args;
  const options = parseOptions(rest);
  if (action !== "create" || typeof options.tenant !== "string") {
    console.error("usage: npm run --silent cli -- token create --tenant <slug> [--test] [--customer <externalId>] [--prefix <prefix>]");
    return 2;
  }
  const token = await issueToken(db.prisma, {
    tenantSlug: options.tenant,
    test: options.test === true,
    customerExternalId: typeof options.customer === "string" ? options.customer : null,
    prefix: typeof options.prefix === "string" ? options.prefix : undefined,
  });
  console.log(token);
  return 0;
};

function parseOptions(args: string[]): Record<string, string | true> {
  const options: Record<string, string | true> = {};
  for (let index = 0; index < args.length; index += 1) {
    const name = args[index]!.replace(/^--/, "");
    const next = args[index + 1];
    if (next !== undefined && !next.startsWith("--")) {
      options[name] = next;
      index += 1;
    } else {
      options[name] = true;
    }
  }
  return options;
}
