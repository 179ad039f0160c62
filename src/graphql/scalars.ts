import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { parseMinorUnits } from "../ledger/money.ts";
import { builder } from "./builder.ts";

builder.scalarType("Money", {
  description:
    "An exact amount in the wallet's minor units (cents for USD, whole credits for a unit of scale 0), as a string of digits with an optional minus sign. Never a float.",
  serialize: (amount) => amount.toString(),
  parseValue: (value) => parseMinorUnits(value, "amount"),
});

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);
