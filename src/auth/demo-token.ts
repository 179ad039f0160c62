// A bare machine gets something to try: a start on the embedded database with no tenant creates
// the demo tenant and a test token for it, in one transaction, and prints the token once the
// gateway listens. Only the token's hash is kept, so the token is labelled "not yet shown" until
// it has been printed: a start that failed before printing it (the port in use) leaves a token
// nobody knows, which the next start replaces with one it shows.
import type { ApiToken, PrismaClient } from "../db/generated/client.ts";
import { mintToken } from "./tokens.ts";

export const DEMO_TENANT = "demo";
const NOT_YET_SHOWN = "demo token (not yet shown)";
const SHOWN = "demo token";

export interface DemoToken {
  token: string;
  /** Labels the token as shown: call once it has been printed. */
  markShown(): Promise<void>;
}

/**
 * The demo token to print, or null when there is none to show: the database has tenants, and the
 * demo tenant's tokens were shown (or made by someone, with the CLI).
 */
export async function demoTokenToShow(prisma: PrismaClient): Promise<DemoToken | null> {
  const minted = await prisma.$transaction(async (tx) => {
    const demo = await tx.tenant.findUnique({ where: { slug: DEMO_TENANT }, include: { apiTokens: true } });
    if (!demo) {
      if ((await tx.tenant.count()) > 0) return null;
      const tenant = await tx.tenant.create({ data: { slug: DEMO_TENANT, name: DEMO_TENANT } });
      return mintToken(tx, { tenantId: tenant.id, livemode: false, name: NOT_YET_SHOWN });
    }
    const neverShown = (token: ApiToken) => token.name === NOT_YET_SHOWN;
    if (demo.apiTokens.length === 0 || !demo.apiTokens.every(neverShown)) return null;
    // Nobody knows these: they were never printed. Revoked rather than deleted, like any token.
    await tx.apiToken.updateMany({ where: { tenantId: demo.id, name: NOT_YET_SHOWN, revokedAt: null }, data: { revokedAt: new Date() } });
    return mintToken(tx, { tenantId: demo.id, livemode: false, name: NOT_YET_SHOWN });
  });
  if (!minted) return null;
  return {
    token: minted.token,
    markShown: async () => {
      await prisma.apiToken.update({ where: { id: minted.apiToken.id }, data: { name: SHOWN } });
    },
  };
}
