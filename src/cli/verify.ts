import { verifyLedger } from "../ledger/index.ts";
import type { CliCommand } from "./command.ts";

export const runVerify: CliCommand = async (db) => {
  const violations = await verifyLedger(db.prisma);
  if (violations.length === 0) {
    console.log("ledger consistent: every invariant holds");
    return 0;
  }
  for (const violation of violations) {
    console.log(
      `${violation.invariant}: ${JSON.stringify(violation.detail, (_, value) => (typeof value === "bigint" ? value.toString() : value))}`,
    );
  }
  console.log(`${violations.length} violation(s)`);
  return 1;
};
