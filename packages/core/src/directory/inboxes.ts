import type { Queryable, Tx } from "@madoguchi/db/client";
import {
  domains,
  type InboxKind,
  type InboxSettings,
  inboxAliases,
  inboxes,
  inboxMembers,
  type MemberRole,
  users,
} from "@madoguchi/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { createStandardMailboxes } from "../mailboxes";
import { normalizeAddress } from "./addresses";
import { findDomain } from "./domains";

export type Inbox = typeof inboxes.$inferSelect;

/** The inbox at an address: its own, or one of its aliases. */
export async function findInboxByAddress(db: Queryable, address: string): Promise<Inbox | undefined> {
  const normalized = address.trim().toLowerCase();
  const [row] = await db
    .select()
    .from(inboxes)
    .where(eq(sql`lower(${inboxes.address})`, normalized));
  if (row) return row;
  const [aliased] = await db
    .select({ inbox: inboxes })
    .from(inboxAliases)
    .innerJoin(inboxes, eq(inboxes.id, inboxAliases.inboxId))
    .where(eq(sql`lower(${inboxAliases.address})`, normalized));
  return aliased?.inbox;
}

/**
 * Where mail to an address goes, in one round trip: whether its domain is served here at all
 * (if not, taking it would be relaying) and, if so, the inbox it belongs to.
 */
export async function lookupLocalAddress(
  db: Queryable,
  address: string,
): Promise<{ domainServed: boolean; inboxId: number | null }> {
  const normalized = address.trim().toLowerCase();
  // RFC 5321 §4.1.1.3: RCPT TO:<Postmaster>, with no domain, names this server's postmaster.
  if (normalized === POSTMASTER) return { domainServed: true, inboxId: await postmasterInbox(db) };
  const at = normalized.lastIndexOf("@");
  if (at < 1) return { domainServed: false, inboxId: null };
  const [row] = await db
    .select({ inboxId: sql<number | null>`coalesce(${inboxes.id}, ${inboxAliases.inboxId})` })
    .from(domains)
    .leftJoin(inboxes, and(eq(inboxes.domainId, domains.id), eq(sql`lower(${inboxes.address})`, normalized)))
    .leftJoin(
      inboxAliases,
      and(eq(inboxAliases.domainId, domains.id), eq(sql`lower(${inboxAliases.address})`, normalized)),
    )
    .where(eq(domains.name, normalized.slice(at + 1)));
  if (row && row.inboxId === null && isPostmasterAddress(normalized))
    return { domainServed: true, inboxId: await postmasterInbox(db) };
  return { domainServed: !!row, inboxId: row?.inboxId ?? null };
}

const POSTMASTER = "postmaster";

/**
 * RFC 5321 §4.5.1: every domain served takes mail for postmaster (any case): bounces, abuse and
 * DMARC reports, people asking why their mail was refused. An inbox of that address gets it;
 * without one it goes to the first active administrator's own inbox, as mail servers alias
 * postmaster to root. Null when there is no administrator (then 550, as for any address).
 */
async function postmasterInbox(db: Queryable): Promise<number | null> {
  return (await adminInboxes(db))[0]?.inboxId ?? null;
}

/** The active administrators with their own inboxes, first made first: who hears of the server's troubles. */
export async function adminInboxes(db: Queryable): Promise<{ email: string; inboxId: number }[]> {
  return db
    .select({ email: users.email, inboxId: inboxes.id })
    .from(users)
    .innerJoin(inboxes, and(eq(inboxes.ownerUserId, users.id), eq(inboxes.kind, "personal")))
    .where(and(eq(users.isAdmin, true), eq(users.active, true)))
    .orderBy(asc(users.id));
}

/** Whether an address is a postmaster address (postmaster@any domain, or bare "postmaster"). */
export function isPostmasterAddress(address: string): boolean {
  const normalized = address.trim().toLowerCase();
  const at = normalized.lastIndexOf("@");
  return (at < 0 ? normalized : normalized.slice(0, at)) === POSTMASTER;
}

export async function getInbox(db: Queryable, inboxId: number): Promise<Inbox> {
  const [row] = await db.select().from(inboxes).where(eq(inboxes.id, inboxId));
  if (!row) throw new AppError("NOT_FOUND", `Inbox ${inboxId} does not exist`);
  return row;
}

/** Creates the inbox row and its standard folders inside the caller's transaction. */
export async function insertInbox(
  tx: Tx,
  input: { address: string; name: string; kind: InboxKind; ownerUserId?: number; settings?: InboxSettings },
): Promise<Inbox> {
  const { address, domainId } = await freeAddress(tx, input.address);
  const [inbox] = await tx
    .insert(inboxes)
    .values({
      address,
      domainId,
      name: input.name,
      kind: input.kind,
      ownerUserId: input.ownerUserId ?? null,
      settings: input.settings ?? {},
    })
    .returning();
  if (!inbox) throw new Error("insert into inboxes returned nothing");
  await createStandardMailboxes(tx, inbox.id);
  return inbox;
}

/**
 * An address a new inbox or alias may take: at a domain served here, and nobody's yet (no inbox
 * and no alias has it). Normalized (lower case).
 */
export async function freeAddress(
  tx: Queryable,
  given: string,
): Promise<{ address: string; domainId: number }> {
  const { address, domain } = normalizeAddress(given);
  const domainRow = await findDomain(tx, domain);
  if (!domainRow) {
    throw new AppError(
      "INVALID_INPUT",
      `Domain ${domain} is not served here; add it first (madoguchi domain add ${domain})`,
      { reason: "domain_not_served", domain },
    );
  }
  if (await findInboxByAddress(tx, address))
    throw new AppError("CONFLICT", `Address ${address} is already in use`, {
      reason: "address_in_use",
      address,
    });
  return { address, domainId: domainRow.id };
}

async function usersByEmail(tx: Queryable, emails: string[]): Promise<Map<string, number>> {
  const wanted = emails.map((e) => normalizeAddress(e).address);
  const rows = wanted.length
    ? await tx
        .select({ id: users.id, email: users.email })
        .from(users)
        .where(inArray(sql`lower(${users.email})`, wanted))
    : [];
  const found = new Map(rows.map((r) => [r.email.toLowerCase(), r.id]));
  const missing = wanted.filter((e) => !found.has(e));
  if (missing.length) throw new AppError("NOT_FOUND", `No such user: ${missing.join(", ")}`);
  return found;
}

export async function addSharedInbox(
  ctx: CoreContext,
  input: { address: string; name: string; memberEmails?: string[]; settings?: InboxSettings },
): Promise<Inbox> {
  return ctx.db.transaction(async (tx) => {
    const inbox = await insertInbox(tx, { ...input, kind: "shared" });
    const members = await usersByEmail(tx, input.memberEmails ?? []);
    if (members.size) {
      await tx
        .insert(inboxMembers)
        .values([...members.values()].map((userId) => ({ inboxId: inbox.id, userId })));
    }
    return inbox;
  });
}

/** Adds and removes members of a shared inbox by email, in one transaction. */
export async function changeInboxMembers(
  ctx: CoreContext,
  address: string,
  change: { add?: string[]; remove?: string[]; role?: MemberRole },
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const inbox = await findInboxByAddress(tx, address);
    if (!inbox) throw new AppError("NOT_FOUND", `No such inbox: ${address}`);
    if (inbox.kind !== "shared")
      throw new AppError(
        "INVALID_INPUT",
        `${address} is a personal address; only shared inboxes have members`,
      );
    const add = await usersByEmail(tx, change.add ?? []);
    const remove = await usersByEmail(tx, change.remove ?? []);
    if (add.size) {
      await tx
        .insert(inboxMembers)
        .values(
          [...add.values()].map((userId) => ({ inboxId: inbox.id, userId, role: change.role ?? "member" })),
        )
        .onConflictDoNothing();
    }
    if (remove.size) {
      await tx
        .delete(inboxMembers)
        .where(and(eq(inboxMembers.inboxId, inbox.id), inArray(inboxMembers.userId, [...remove.values()])));
    }
  });
}

export interface InboxSummary extends Inbox {
  members: { userId: number; email: string; name: string; role: MemberRole }[];
  /** Its other addresses (inbox_aliases), alphabetically. */
  aliases: string[];
}

export async function listInboxes(
  ctx: CoreContext,
  filter: { kind?: InboxKind } = {},
): Promise<InboxSummary[]> {
  const rows = await ctx.db
    .select()
    .from(inboxes)
    .where(filter.kind ? eq(inboxes.kind, filter.kind) : undefined)
    .orderBy(asc(inboxes.address));
  const members = await ctx.db
    .select({
      inboxId: inboxMembers.inboxId,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: inboxMembers.role,
    })
    .from(inboxMembers)
    .innerJoin(users, eq(users.id, inboxMembers.userId))
    .orderBy(asc(users.email));
  const aliases = await ctx.db
    .select({ inboxId: inboxAliases.inboxId, address: inboxAliases.address })
    .from(inboxAliases)
    .orderBy(asc(inboxAliases.address));
  return rows.map((inbox) => ({
    ...inbox,
    members: members.filter((m) => m.inboxId === inbox.id).map(({ inboxId: _, ...m }) => m),
    aliases: aliases.filter((a) => a.inboxId === inbox.id).map((a) => a.address),
  }));
}

/** Inboxes a user may work, personal first. */
export async function inboxesOfUser(db: Queryable, userId: number): Promise<Inbox[]> {
  const rows = await db
    .select({ inbox: inboxes })
    .from(inboxMembers)
    .innerJoin(inboxes, eq(inboxes.id, inboxMembers.inboxId))
    .where(eq(inboxMembers.userId, userId))
    .orderBy(sql`${inboxes.kind} = 'shared'`, asc(inboxes.address));
  return rows.map((r) => r.inbox);
}
