// `npm run --silent cli -- <command>`: the gateway's administration commands. Each command's
// module, the configuration and the database are loaded only when a command runs, so `--help`
// loads none of them and a command loads only its own.
//
// The CLI works on the gateway's database and creates none: it says which one it uses (on
// stderr, so that `token create` still prints the token alone), and without DATABASE_URL it
// refuses a DATA_DIR that holds no embedded database, rather than creating one there that the
// gateway never reads.
import type { CliCommand } from "./command.ts";
import { TOKEN_USAGE } from "./token-usage.ts";

const COMMANDS: Record<string, { load: () => Promise<CliCommand>; usage: string }> = {
  token: { load: async () => (await import("./token.ts")).runToken, usage: TOKEN_USAGE },
  verify: {
    load: async () => (await import("./verify.ts")).runVerify,
    usage: "verify                 check every ledger invariant; exit 1 on any violation",
  },
};

const HELP = new Set(["--help", "-h", "help"]);

function usage(): string {
  return `usage: npm run --silent cli -- <command>\n\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage}`)
    .join(
      "\n",
    )}\n\nThe CLI uses the gateway's database: DATABASE_URL, or else the embedded database in DATA_DIR (./data by default), as the gateway is started with.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name !== undefined && HELP.has(name)) {
    console.log(usage());
    return 0;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(name ? `unknown command "${name}"\n${usage()}` : usage());
    return 2;
  }
  const [{ loadConfig }, { describeDatabase, embeddedDatabaseExists }] = await Promise.all([
    import("../config.ts"),
    import("./database-in-use.ts"),
  ]);
  const config = loadConfig();
  if (!config.databaseUrl && !embeddedDatabaseExists(config.dataDir)) {
    console.error(
      `There is no database in ${config.dataDir}: the CLI works on the gateway's database and creates none. ` +
        "Start the gateway first (npm start, or npm run dev), from this directory, or set DATA_DIR (or DATABASE_URL) to the one the gateway uses.",
    );
    return 1;
  }
  const [{ openDatabase }, run] = await Promise.all([import("../db/database.ts"), command.load()]);
  console.error(`Using ${describeDatabase(config)}`);
  // While a gateway runs on the embedded database, through the socket it serves.
  const db = await openDatabase({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, connectWhenInUse: true });
  try {
    return await run(db, args);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
