import type { Queryable } from "@madoguchi/db/client";
import { inboxMembers, users } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import { AppError } from "./errors";

/**
 * The one place that decides who may work an inbox: active members. Web, IMAP, POP3 and SMTP
 * submission all ask here. Admins manage inboxes but read mail only where they are members.
 */
export async function canAccessInbox(db: Queryable, userId: number, inboxId: number): Promise<boolean> {
  const rows = await db
    .select({ userId: inboxMembers.userId })
    .from(inboxMembers)
    .innerJoin(users, eq(users.id, inboxMembers.userId))
    .where(and(eq(inboxMembers.inboxId, inboxId), eq(inboxMembers.userId, userId), eq(users.active, true)))
    .limit(1);
  return rows.length > 0;
}

export async function assertInboxAccess(db: Queryable, userId: number, inboxId: number): Promise<void> {
  if (!(await canAccessInbox(db, userId, inboxId))) {
    throw new AppError("FORBIDDEN", "You are not a member of this inbox", { inboxId });
  }
}

export async function assertAdmin(db: Queryable, userId: number): Promise<void> {
  const [row] = await db
    .select({ isAdmin: users.isAdmin, active: users.active })
    .from(users)
    .where(eq(users.id, userId));
  if (!row?.isAdmin || !row.active) throw new AppError("FORBIDDEN", "Administrators only");
}

/** Every inbox a user may work (the same rule as canAccessInbox): cross-inbox lists start here. */
export async function accessibleInboxIds(db: Queryable, userId: number): Promise<number[]> {
  const rows = await db
    .select({ inboxId: inboxMembers.inboxId })
    .from(inboxMembers)
    .innerJoin(users, eq(users.id, inboxMembers.userId))
    .where(and(eq(inboxMembers.userId, userId), eq(users.active, true)));
  return rows.map((r) => r.inboxId);
}
