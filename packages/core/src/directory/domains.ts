import type { Queryable } from "@madoguchi/db/client";
import { domains } from "@madoguchi/db/schema";
import { asc, eq } from "drizzle-orm";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { normalizeDomain } from "./addresses";

export type Domain = typeof domains.$inferSelect;

export async function addDomain(ctx: CoreContext, name: string): Promise<Domain> {
  const domain = normalizeDomain(name);
  const [row] = await ctx.db.insert(domains).values({ name: domain }).onConflictDoNothing().returning();
  if (!row) throw new AppError("CONFLICT", `Domain ${domain} already exists`);
  return row;
}

export async function findDomain(db: Queryable, name: string): Promise<Domain | undefined> {
  const [row] = await db.select().from(domains).where(eq(domains.name, name.toLowerCase()));
  return row;
}

export async function listDomains(ctx: CoreContext): Promise<Domain[]> {
  return ctx.db.select().from(domains).orderBy(asc(domains.name));
}
