import { defineConfig } from "prisma/config";

// The gateway applies migrations itself (src/db/migrations.ts, through Prisma's WebAssembly
// schema engine), so the CLI is only used here to generate the client.
export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
});
