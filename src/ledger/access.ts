// Who may do what, decided here once for every transport. A scope is what a token may touch: one
// tenant in live or test mode, for a personal token one customer of it, and what its role allows.
// Every command checks its permission before it reads anything, and every query and wallet lock
// filters by `walletsInScope`, so a wallet outside the scope does not exist for the caller.
import { Prisma, type OperationType } from "../db/generated/client.ts";
import { ForbiddenError, type Permission } from "./errors.ts";

/**
 * - `admin`: everything in its tenant and mode, token management included (a team token);
 * - `write`: money movements and wallet settings, no token management (a team token);
 * - `read`: queries only (a team or personal token);
 * - `customer`: a personal token's own wallets: read, spend, and pay for top-ups with the
 *   customer's own card; never credits it could grant itself.
 */
export type Role = "admin" | "write" | "read" | "customer";
export const ROLES: readonly Role[] = ["admin", "write", "read", "customer"];

export interface Scope {
  tenantId: string;
  livemode: boolean;
  /** Set for a personal token: only this customer's wallets exist for it. */
  customerId: string | null;
  role: Role;
}

/**
 * - `read`: wallets, balances, blocks, entries, holds, operations, events;
 * - `spend`: debit, hold, capture, release (and the vendor paths that do these);
 * - `pay`: a paid top-up charged to the customer's card, and setting that card;
 * - `manage`: deposits and grants, voids, amendments, expiry changes, refunds, wallet settings
 *   (overdraft, auto top-up), opening and terminating wallets;
 * - `tokens`: creating, listing and revoking API tokens;
 * - `webhooks`: creating, listing, changing and deleting webhook endpoints, and resending events.
 */
export type { Permission } from "./errors.ts";

const PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ["read", "spend", "pay", "manage", "tokens", "webhooks"],
  write: ["read", "spend", "pay", "manage"],
  read: ["read"],
  customer: ["read", "spend", "pay"],
};

export function allows(scope: Scope, permission: Permission): boolean {
  return PERMISSIONS[scope.role].includes(permission);
}

/** Fails with ForbiddenError when the scope's role lacks `permission`. */
export function authorize(scope: Scope, permission: Permission): void {
  if (!allows(scope, permission)) throw new ForbiddenError(scope.role, permission);
}

const SPENDING: ReadonlySet<OperationType> = new Set<OperationType>(["debit", "hold", "capture", "release"]);

/** What an operation of this type asks of its caller. */
export function permissionFor(type: OperationType): Permission {
  return SPENDING.has(type) ? "spend" : "manage";
}

/**
 * The gateway's own work (expiry sweep, payment webhooks, retries) acts for a tenant as a whole;
 * never handed to a request.
 */
export function systemScope(tenantId: string, livemode: boolean): Scope {
  return { tenantId, livemode, customerId: null, role: "admin" };
}

/** The wallets a scope may see, as a Prisma filter (for the ledger's queries and GraphQL's reads). */
export function walletsInScope(scope: Scope): { tenantId: string; livemode: boolean; customerId?: string } {
  return { tenantId: scope.tenantId, livemode: scope.livemode, ...(scope.customerId ? { customerId: scope.customerId } : {}) };
}

/**
 * `walletsInScope` in SQL, on wallets aliased `w`: for the ledger's raw reads and its wallet lock.
 * test/ledger/sql-twins.test.ts holds the two to the same wallets for any scope.
 */
export function walletsInScopeSql(scope: Scope): Prisma.Sql {
  const customer = scope.customerId ? Prisma.sql` AND w.customer_id = ${scope.customerId}::uuid` : Prisma.empty;
  return Prisma.sql`(w.tenant_id = ${scope.tenantId}::uuid AND w.livemode = ${scope.livemode}${customer})`;
}

/**
 * The customers a scope may see, as a Prisma filter. A personal token's customer goes in `AND`, so
 * that spreading the filter next to an `id` of the caller's never replaces that id.
 */
export function customersInScope(scope: Scope): { tenantId: string; livemode: boolean; AND?: Prisma.CustomerWhereInput[] } {
  return { tenantId: scope.tenantId, livemode: scope.livemode, ...(scope.customerId ? { AND: [{ id: scope.customerId }] } : {}) };
}
