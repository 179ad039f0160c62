// Builds the gateway's HTTP application as one fetch handler, so tests call `app.fetch(request)`
// in process and the server only has to listen.
import { createServerAdapter } from "@whatwg-node/server";
import type { Database } from "./db/database.ts";
import type { LedgerContext } from "./ledger/context.ts";

export interface AppOptions {
  db: Database;
  ledger: LedgerContext;
}

export function createApp({ db }: AppOptions) {
  return createServerAdapter(async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/healthz" && request.method === "GET") {
      await db.prisma.$queryRaw`SELECT 1`;
      return Response.json({ status: "ok", database: db.kind });
    }
    return Response.json({ error: { message: `no route for ${request.method} ${url.pathname}`, code: "NOT_FOUND" } }, { status: 404 });
  });
}

export type App = ReturnType<typeof createApp>;
