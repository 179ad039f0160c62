// Orb's credits ledger list filters by minimum_amount (in the wallet's major units, either
// way), and a shortfall is told in the units the caller wrote.
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);

const entryPath = (customer: string) => `/customers/external_customer_id/${customer}/credits/ledger_entry`;
const ledgerPath = (customer: string) => `/customers/external_customer_id/${customer}/credits/ledger`;

async function entries(customer: string, ...bodies: Record<string, unknown>[]) {
  for (const json of bodies) expect((await http.send("POST", entryPath(customer), { json })).status).toBe(201);
}

describe("Orb credits ledger: minimum_amount", () => {
  it("lists only entries that move at least the minimum, increments and decrements alike", async () => {
    await entries(
      "min-1",
      { entry_type: "increment", amount: 100 },
      { entry_type: "decrement", amount: 0.5 },
      { entry_type: "decrement", amount: 20.25 },
      { entry_type: "increment", amount: 3 },
    );
    const amounts = async (query: string) =>
      ((await http.send("GET", `${ledgerPath("min-1")}?${query}`)).body.data as { amount: number }[]).map((entry) => entry.amount);
    expect(await amounts("minimum_amount=20.25")).toEqual([-20.25, 100]);
    expect(await amounts("minimum_amount=1")).toEqual([3, -20.25, 100]);
    expect(await amounts("minimum_amount=0.01&entry_type=decrement")).toEqual([-20.25, -0.5]);
    expect(await amounts("minimum_amount=1000")).toEqual([]);
  });

  it("pages through the entries that pass, with a cursor", async () => {
    await entries("min-2", ...Array.from({ length: 5 }, (_, index) => ({ entry_type: "increment", amount: index % 2 === 0 ? 10 : 0.1 })));
    const first = await http.send("GET", `${ledgerPath("min-2")}?minimum_amount=5&limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.pagination_metadata.has_more).toBe(true);
    const second = await http.send(
      "GET",
      `${ledgerPath("min-2")}?minimum_amount=5&limit=2&cursor=${first.body.pagination_metadata.next_cursor}`,
    );
    expect((second.body.data as { amount: number }[]).map((entry) => entry.amount)).toEqual([10]);
    expect(second.body.pagination_metadata).toEqual({ has_more: false, next_cursor: null });
  });

  it.each(["abc", "-1", "0", "0.001", ""])("answers 400 in Orb's shape for minimum_amount=%s", async (value) => {
    await entries("min-3", { entry_type: "increment", amount: 1 });
    const reply = await http.send("GET", `${ledgerPath("min-3")}?minimum_amount=${value}`);
    expect(reply).toMatchObject({
      status: 400,
      body: {
        status: 400,
        type: expect.stringContaining("400-request-validation-errors"),
        detail: expect.stringContaining("minimum_amount"),
      },
    });
  });
});

describe("Orb credits: a shortfall in the caller's units", () => {
  it("says how much was asked and how much is there, in the currency's major units", async () => {
    await entries("short-1", { entry_type: "increment", amount: 24.25 });
    const reply = await http.send("POST", entryPath("short-1"), { json: { entry_type: "decrement", amount: 1000 } });
    expect(reply).toMatchObject({
      status: 400,
      body: { title: "Constraint violation", detail: "insufficient credits: 1000 USD requested, 24.25 available" },
    });
  });
});
