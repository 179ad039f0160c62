// What every administration command is: main.ts looks commands up by name, each command's file
// implements one; this file is the shape both sides agree on.
import type { Database } from "../db/database.ts";

/** Runs with the open database and the command's arguments; answers the process exit code. */
export type CliCommand = (db: Database, args: string[]) => Promise<number>;
