// The layers of src/, held by `npm run lint` (dependency-cruiser). Each rule names the layer it
// keeps; README.md's "Layout" section draws them. Type-only imports count: a type reached past the
// ledger's index is a side door as much as a function is.

/** Generated Prisma modules an adapter may use: Pothos' Prisma plugin types, query filter types, payments' and webhooks' enums. */
const GENERATED_ALLOWED = [
  { from: "^src/graphql/builder\\.ts$", to: "^src/db/generated/pothos-types\\.ts$" },
  { from: "^src/graphql/types/queries\\.ts$", to: "^src/db/generated/client\\.ts$" },
  { from: "^src/graphql/types/top-up\\.ts$", to: "^src/db/generated/enums\\.ts$" },
  { from: "^src/graphql/types/webhook-endpoint\\.ts$", to: "^src/db/generated/enums\\.ts$" },
];

const ADAPTERS = "^src/(graphql|rest|http|cli)/|^src/(app|server)\\.ts$";

/**
 * GraphQL, REST, HTTP, the CLI and the server take the rows they pass on from the ledger, not from
 * the generated Prisma client: one rule for every adapter file, and one per allowed file naming the
 * only generated module it may use.
 */
function adapterGeneratedRules() {
  const comment = "Adapters take ledger rows from the ledger (src/ledger/index.ts), not from the generated Prisma client.";
  return [
    {
      name: "adapters-read-rows-from-the-ledger",
      comment,
      severity: "error",
      from: { path: ADAPTERS, pathNot: GENERATED_ALLOWED.map((allowed) => allowed.from) },
      to: { path: "^src/db/generated/" },
    },
    ...GENERATED_ALLOWED.map((allowed) => ({
      name: "adapters-read-rows-from-the-ledger",
      comment,
      severity: "error",
      from: { path: allowed.from },
      to: { path: "^src/db/generated/", pathNot: allowed.to },
    })),
  ];
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "ledger-one-way-in",
      comment:
        "Outside src/ledger, the ledger is used through src/ledger/index.ts only (payments may also use " +
        "src/ledger/extension.ts). Everything else in src/ledger is how it keeps its invariants, and may change.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/ledger/" },
      to: { path: "^src/ledger/", pathNot: "^src/ledger/(index|extension)\\.ts$" },
    },
    {
      name: "ledger-extension-for-payments-only",
      comment:
        "src/ledger/extension.ts lets code run inside the ledger's transaction; only payments (top-ups " +
        "whose deposit and payment record commit together) has a reason to.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(ledger|payments)/" },
      to: { path: "^src/ledger/extension\\.ts$" },
    },
    {
      name: "ledger-stays-below",
      comment:
        "The ledger owns every money movement and knows nothing of who calls it: no transport, no payment " +
        "provider, no webhook sender, no job runner.",
      severity: "error",
      from: { path: "^src/ledger/" },
      to: {
        path: "^src/(graphql|rest|http|cli|payments|webhooks|jobs|events|auth|lifecycle)/|^src/(app|server|config)\\.ts$",
      },
    },
    {
      name: "adapters-on-top",
      comment:
        "GraphQL, REST, HTTP and the CLI are the ways in; what they call (payments, webhooks, jobs, events, auth, " +
        "the database) never calls back up into them. A job the REST shim's vendor needs lives in src/jobs/.",
      severity: "error",
      from: { path: "^src/(ledger|db|payments|webhooks|jobs|events|auth)/" },
      to: { path: "^src/(graphql|rest|http|cli)/|^src/(app|server)\\.ts$" },
    },
    {
      name: "no-circular",
      comment:
        "No import circles in src/, type-only imports included: a circle is a set of modules that cannot be " +
        "read, tested or moved alone. The one exception is the next rule's.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true, via: { pathNot: "^src/db/" } },
    },
    {
      name: "no-circular-in-db",
      comment:
        "src/db/database.ts builds the PostgreSQL and PGlite databases, whose files name its Database interface " +
        "back (type-only): a circle among those four files is tolerated until that interface has a file of its own; a circle through any other module is not.",
      severity: "error",
      from: { path: "^src/db/" },
      to: { circular: true, via: { pathNot: "^src/db/(pglite|postgres|served-pglite|database)\\.ts$" } },
    },
    ...adapterGeneratedRules(),
  ],
  options: {
    doNotFollow: { path: ["node_modules", "^src/db/generated/"] },
    exclude: { path: ["^src/browser/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".json"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
