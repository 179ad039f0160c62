import { GraphQLError, Kind } from "graphql";
import { JSONObjectResolver } from "graphql-scalars";
import { parseIsoDateTime, LedgerError, parseMinorUnits } from "../ledger/index.ts";
import { builder } from "./builder.ts";

/** Runs a ledger parser, answering its ValidationError as a GraphQL input error. */
function asInputError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof LedgerError) throw new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT" } });
    throw error;
  }
}

builder.scalarType("Money", {
  description:
    "An exact amount in the wallet's minor units (cents for USD, whole credits for a unit of scale 0), as a string of digits with an optional minus sign. Never a float.",
  serialize: (amount) => amount.toString(),
  parseValue: (value) => asInputError(() => parseMinorUnits(value, "Money")),
  parseLiteral: (node) => {
    if (node.kind === Kind.STRING || node.kind === Kind.INT) return asInputError(() => parseMinorUnits(node.value, "Money"));
    throw new GraphQLError("Money is a string (or integer) of minor units", { extensions: { code: "BAD_USER_INPUT" } });
  },
});

builder.scalarType("DateTime", {
  description:
    "An instant as an ISO 8601 date-time with its zone, such as 2026-12-03T10:15:30Z or 2026-12-03T11:15:30.250+01:00, or a date (2026-12-03: its midnight UTC), in the years 1970 to 9999. A day or time that does not exist (2099-02-30) is refused, never rolled over. Answers are UTC with milliseconds.",
  specifiedByURL: "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
  serialize: (value) => {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    throw new GraphQLError("DateTime cannot represent a value that is not a valid Date");
  },
  parseValue: (value) => asInputError(() => parseIsoDateTime(value, "DateTime")),
  parseLiteral: (node) => {
    if (node.kind === Kind.STRING) return asInputError(() => parseIsoDateTime(node.value, "DateTime"));
    throw new GraphQLError("DateTime is a string such as 2026-12-03T10:15:30Z", { extensions: { code: "BAD_USER_INPUT" } });
  },
});

builder.addScalarType("JSONObject", JSONObjectResolver);
