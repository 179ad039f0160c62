// `token create | list | revoke`: the operator's token management. The operator has the whole
// database, so it names the tenant (created on first use), and revokes any token by its id.
import { listApiTokens, revokeApiToken, type TokenContext } from "../auth/token-management.ts";
import { issueToken } from "../auth/tokens.ts";
import { ROLES, systemScope, type Role, systemClock } from "../ledger/index.ts";
import type { CliCommand } from "./command.ts";
import { TOKEN_USAGE } from "./token-usage.ts";

const ACTIONS: Record<string, { flags: string[]; values: string[]; run: (context: TokenContext, options: Options) => Promise<number> }> = {
  create: { flags: ["test"], values: ["tenant", "customer", "role", "name", "prefix"], run: create },
  list: { flags: ["test", "include-revoked"], values: ["tenant"], run: list },
  revoke: { flags: [], values: [], run: revoke },
};

interface Options {
  flags: Set<string>;
  values: Map<string, string>;
  positional: string[];
}

export const runToken: CliCommand = async (db, args) => {
  const [name, ...rest] = args;
  const action = name ? ACTIONS[name] : undefined;
  if (!action) return usage("token needs create, list or revoke");
  const options = parseOptions(rest, action.flags, action.values);
  if (!options) return usage(`token ${name} was given an option it does not take, or an option without its value`);
  return action.run({ prisma: db.prisma, now: systemClock }, options);
};

async function create({ prisma }: TokenContext, options: Options): Promise<number> {
  const tenantSlug = options.values.get("tenant");
  const role = options.values.get("role");
  if (!tenantSlug || options.positional.length > 0) return usage("token create needs --tenant <slug>");
  if (role !== undefined && !ROLES.includes(role as Role)) return usage(`--role must be one of ${ROLES.join(", ")}`);
  const token = await issueToken(prisma, {
    tenantSlug,
    test: options.flags.has("test"),
    customerExternalId: options.values.get("customer") ?? null,
    role: (role as Role | undefined) ?? null,
    name: options.values.get("name") ?? null,
    prefix: options.values.get("prefix"),
  });
  console.log(token);
  return 0;
}

async function list(context: TokenContext, options: Options): Promise<number> {
  const tenantSlug = options.values.get("tenant");
  if (!tenantSlug || options.positional.length > 0) return usage("token list needs --tenant <slug>");
  const tenant = await context.prisma.tenant.findUnique({ where: { slug: tenantSlug } });
  if (!tenant) {
    console.error(`There is no tenant "${tenantSlug}".`);
    return 1;
  }
  const livemode = !options.flags.has("test");
  const tokens = await listApiTokens(context, systemScope(tenant.id, true), {
    livemode,
    includeRevoked: options.flags.has("include-revoked"),
  });
  const rows = tokens.map((token) => [
    token.id,
    token.prefix,
    token.role,
    token.customer?.externalId ?? "-",
    token.name ?? "-",
    token.createdAt.toISOString(),
    token.lastUsedAt?.toISOString() ?? "never",
    token.revokedAt?.toISOString() ?? "-",
  ]);
  const header = ["ID", "PREFIX", "ROLE", "CUSTOMER", "NAME", "CREATED", "LAST USED", "REVOKED"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    );
  console.error(`${tokens.length} ${livemode ? "live" : "test"} token(s) of ${tenantSlug}`);
  return 0;
}

async function revoke(context: TokenContext, options: Options): Promise<number> {
  const [given, ...extra] = options.positional;
  if (!given || extra.length > 0) return usage("token revoke needs the token's id");
  const id = tokenIdOf(given);
  const found = UUID.test(id) ? await context.prisma.apiToken.findUnique({ where: { id }, include: { tenant: true } }) : null;
  if (!found) {
    console.error(`There is no API token ${given}.`);
    return 1;
  }
  const token = await revokeApiToken(context, systemScope(found.tenantId, true), id);
  const what = `${token.prefix}… (${token.id}) of ${found.tenant.slug}, ${token.livemode ? "live" : "test"}`;
  if (found.revokedAt) console.log(`${what} was already revoked at ${token.revokedAt!.toISOString()}`);
  else console.log(`revoked ${what}; a running gateway refuses it within TOKEN_CACHE_SECONDS (5 s by default)`);
  return 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The token's id as listed here, or as GraphQL gives it (a global id, base64 of `ApiToken:<id>`). */
function tokenIdOf(given: string): string {
  const decoded = Buffer.from(given, "base64").toString("utf8");
  return decoded.startsWith("ApiToken:") ? decoded.slice("ApiToken:".length) : given;
}

function usage(problem: string): number {
  console.error(`${problem}\nusage: npm run --silent cli --\n  ${TOKEN_USAGE}`);
  return 2;
}

/** `--flag`, `--name value` and positional arguments; null for an option the action does not take. */
function parseOptions(args: string[], flags: string[], values: string[]): Options | null {
  const options: Options = { flags: new Set(), values: new Map(), positional: [] };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (!arg.startsWith("--")) {
      options.positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (flags.includes(name)) {
      options.flags.add(name);
    } else if (values.includes(name) && index + 1 < args.length) {
      options.values.set(name, args[index + 1]!);
      index += 1;
    } else {
      return null;
    }
  }
  return options;
}
