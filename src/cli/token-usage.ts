// The token command's usage, apart from the command: `--help` prints it without loading the
// ledger or the database.
export const TOKEN_USAGE = [
  "token create --tenant <slug> [--test] [--customer <externalId>] [--role admin|write|read|customer] [--name <label>] [--prefix <p>]",
  "      print a new API token (and nothing else)",
  "token list --tenant <slug> [--test] [--include-revoked]",
  "      the tenant's live (or test) tokens",
  "token revoke <id>",
  "      revoke a token; a running gateway refuses it within TOKEN_CACHE_SECONDS",
].join("\n  ");
