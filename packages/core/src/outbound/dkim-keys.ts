import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import type { Queryable } from "@madoguchi/db/client";
import { dkimKeys } from "@madoguchi/db/schema";
import { and, desc, eq } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { findDomain } from "../directory/domains";
import { AppError } from "../errors";

export type DkimKey = typeof dkimKeys.$inferSelect;

/** RSA 2048: what every receiver verifies (ed25519 is not yet universally supported). */
export const DKIM_KEY_BITS = 2048;

const generate = promisify(generateKeyPair);

/** "mdg202611": dated, so a rotated key gets a new selector and both can be published for a while. */
export function dkimSelectorFor(date: Date): string {
  return `mdg${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

export async function activeDkimKey(db: Queryable, domainName: string): Promise<DkimKey | undefined> {
  const domain = await findDomain(db, domainName);
  if (!domain) return undefined;
  const [key] = await db
    .select()
    .from(dkimKeys)
    .where(and(eq(dkimKeys.domainId, domain.id), eq(dkimKeys.active, true)))
    .orderBy(desc(dkimKeys.id))
    .limit(1);
  return key;
}

/**
 * The domain's active signing key, created on first use (`domain add` calls this too, so the
 * DNS record can be published before the first mail goes out).
 */
export async function ensureDkimKey(ctx: CoreContext, domainName: string): Promise<DkimKey> {
  const existing = await activeDkimKey(ctx.db, domainName);
  if (existing) return existing;
  const domain = await findDomain(ctx.db, domainName);
  if (!domain) throw new AppError("NOT_FOUND", `Domain ${domainName} is not served here`);
  const { privateKey, publicKey } = await generate("rsa", { modulusLength: DKIM_KEY_BITS });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const spki = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  // Two processes may race here; the unique (domain, selector) index lets exactly one insert win.
  await ctx.db
    .insert(dkimKeys)
    .values({
      domainId: domain.id,
      selector: dkimSelectorFor(nowOf(ctx)),
      privateKeyPem: pem,
      publicKey: spki,
    })
    .onConflictDoNothing();
  const key = await activeDkimKey(ctx.db, domainName);
  if (!key) throw new Error(`DKIM key for ${domainName} was not stored`);
  return key;
}
