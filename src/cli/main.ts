// `npm run --silent cli -- <command>`: the gateway's administration commands.
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import type { CliCommand } from "./command.ts";
import { runToken, TOKEN_USAGE } from "./token.ts";
import { runVerify } from "./verify.ts";

const COMMANDS: Record<string, { run: CliCommand; usage: string }> = {
  token: { run: runToken, usage: TOKEN_USAGE },
  verify: { run: runVerify, usage: "verify                 check every ledger invariant; exit 1 on any violation" },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(
      `usage: npm run --silent cli -- <command>\n\n${Object.values(COMMANDS)
        .map((c) => `  ${c.usage}`)
        .join("\n")}`,
    );
    return 2;
  }
  const config = loadConfig();
  // While a gateway runs on the embedded database, through the socket it serves.
  const db = await openDatabase({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, connectWhenInUse: true });
  try {
    return await command.run(db, args);
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
