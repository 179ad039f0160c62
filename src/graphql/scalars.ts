import { GraphQLError, Kind } from "graphql";
import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { LedgerError } from "../ledger/errors.ts";
import { parseMinorUnits } from "../ledger/money.ts";
import { builder } from "./builder.ts";

function parseMoney(value: unknown): bigint {
  try {
    return parseMinorUnits(value, "Money");
  } catch (error) {
    if (error instanceof LedgerError) throw new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT" } });
    throw error;
  }
}

builder.scalarType("Money", {
  description:
    "An exact amount in the wallet's minor units (cents for USD, whole credits for a unit of scale 0), as a string of digits with an optional minus sign. Never a float.",
  serialize: (amount) => amount.toString(),
  parseValue: parseMoney,
  parseLiteral: (node) => {
    if (node.kind === Kind.STRING || node.kind === Kind.INT) return parseMoney(node.value);
    throw new GraphQLError("Money is a string (or integer) of minor units", { extensions: { code: "BAD_USER_INPUT" } });
  },
});

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);
