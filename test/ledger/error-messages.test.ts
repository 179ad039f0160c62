// The refusals a client reads: a token's role that lacks a permission is told in a plain English
// sentence ("an admin token…", "a write token may not manage webhook endpoints"), for every role
// and every permission, never with the permission's code standing in for a verb.
import { describe, expect, it } from "vitest";
import { ROLES, type Permission } from "../../src/ledger/access.ts";
import { ForbiddenError, PERMISSION_VERBS } from "../../src/ledger/errors.ts";

/** The verbs a refusal may start its predicate with: plain English, none of them a permission's code standing alone. */
const VERBS = new Set(["read", "spend", "pay", "grant", "correct", "configure", "manage", "create", "change", "delete"]);

describe("a refusal for lack of permission", () => {
  const permissions = Object.keys(PERMISSION_VERBS) as Permission[];

  it("has a sentence for every permission", () => {
    expect(permissions.sort()).toEqual(["manage", "pay", "read", "spend", "tokens", "webhooks"]);
  });

  for (const role of ROLES) {
    for (const permission of permissions) {
      it(`reads as English for the ${role} role lacking ${permission}`, () => {
        const { message } = new ForbiddenError(role, permission);
        const sentence = /^(a|an) (\w+) token may not ([a-z]+)((?:,? [A-Za-z-]+)+)$/.exec(message);
        expect(sentence, message).not.toBeNull();
        const [, article, named, verb] = sentence!;
        expect(article, message).toBe(/^[aeiou]/.test(role) ? "an" : "a");
        expect(named).toBe(role);
        expect(VERBS.has(verb!), message).toBe(true);
      });
    }
  }

  it("says what a write token may not do with webhooks", () => {
    expect(new ForbiddenError("write", "webhooks").message).toBe("a write token may not manage webhook endpoints or resend events");
  });
});
