import { randomBytes } from "node:crypto";
import { type InboxSettings, inboxes, inboxMembers, type MemberRole, users } from "@madoguchi/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import { assertAdmin } from "../authz";
import type { CoreContext } from "../context";
import { changeInboxAliases } from "../directory/aliases";
import { businessHoursProblem } from "../directory/business-hours";
import { addDomain, type Domain, listDomains } from "../directory/domains";
import { addSharedInbox, getInbox, type Inbox, type InboxSummary, listInboxes } from "../directory/inboxes";
import { addUser, listUsers, type PublicUser, toPublicUser } from "../directory/users";
import { AppError } from "../errors";
import { hashPassword } from "../passwords";
import { deleteSessionsOfUser } from "./sessions";

/*
 * The web app's administration: every function checks that the actor is an active
 * administrator first, then calls the same directory functions the CLI uses.
 */

export async function adminListUsers(ctx: CoreContext, actorId: number): Promise<PublicUser[]> {
  await assertAdmin(ctx.db, actorId);
  return listUsers(ctx);
}

/** A readable one-time password: 16 characters from an alphabet without look-alikes. */
export function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join("");
}

/** Creates a user; without a password a one-time one is generated and returned once. */
export async function adminCreateUser(
  ctx: CoreContext,
  actorId: number,
  input: { email: string; name: string; password?: string; isAdmin?: boolean },
): Promise<{ user: PublicUser; oneTimePassword: string | null }> {
  await assertAdmin(ctx.db, actorId);
  const oneTimePassword = input.password ? null : generatePassword();
  const user = await addUser(ctx, {
    email: input.email,
    name: input.name,
    password: input.password ?? (oneTimePassword as string),
    isAdmin: input.isAdmin ?? false,
    mustChangePassword: oneTimePassword !== null,
  });
  return { user, oneTimePassword };
}

/** Deactivates (or reactivates) a user: a deactivated user cannot log in and is logged out everywhere. */
export async function adminSetUserActive(
  ctx: CoreContext,
  actorId: number,
  input: { userId: number; active: boolean },
): Promise<PublicUser> {
  await assertAdmin(ctx.db, actorId);
  if (input.userId === actorId && !input.active)
    throw new AppError("INVALID_INPUT", "You cannot deactivate yourself");
  const [row] = await ctx.db
    .update(users)
    .set({ active: input.active })
    .where(eq(users.id, input.userId))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "No such user");
  if (!input.active) await deleteSessionsOfUser(ctx, input.userId);
  return toPublicUser(row);
}

export async function adminSetUserAdmin(
  ctx: CoreContext,
  actorId: number,
  input: { userId: number; isAdmin: boolean },
): Promise<PublicUser> {
  await assertAdmin(ctx.db, actorId);
  if (input.userId === actorId && !input.isAdmin)
    throw new AppError("INVALID_INPUT", "You cannot remove your own administrator rights");
  const [row] = await ctx.db
    .update(users)
    .set({ isAdmin: input.isAdmin })
    .where(eq(users.id, input.userId))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "No such user");
  return toPublicUser(row);
}

/** Sets a new one-time password (must be changed at next login) and logs the user out everywhere. */
export async function adminResetPassword(
  ctx: CoreContext,
  actorId: number,
  userId: number,
): Promise<{ oneTimePassword: string }> {
  await assertAdmin(ctx.db, actorId);
  const [user] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("NOT_FOUND", "No such user");
  const oneTimePassword = generatePassword();
  await ctx.db
    .update(users)
    .set({ mustChangePassword: true, passwordHash: await hashPassword(oneTimePassword) })
    .where(eq(users.id, userId));
  await deleteSessionsOfUser(ctx, userId);
  return { oneTimePassword };
}

export async function adminListInboxes(ctx: CoreContext, actorId: number): Promise<InboxSummary[]> {
  await assertAdmin(ctx.db, actorId);
  return listInboxes(ctx, { kind: "shared" });
}

export async function adminCreateInbox(
  ctx: CoreContext,
  actorId: number,
  input: { address: string; name: string; memberIds?: number[]; settings?: InboxSettings },
): Promise<Inbox> {
  await assertAdmin(ctx.db, actorId);
  checkSettings(input.settings);
  const emails = await emailsOf(ctx, input.memberIds ?? []);
  return addSharedInbox(ctx, {
    address: input.address,
    name: input.name,
    memberEmails: emails,
    settings: input.settings,
  });
}

/** Name, signature, undo window and status-on-reply of a shared inbox. */
/** What no inbox may be set to: an 自動返信 switched on with nothing to say, or hours that are none. */
function checkSettings(settings: InboxSettings | undefined): void {
  const autoReply = settings?.autoReply;
  if (autoReply?.enabled && !autoReply.body.trim())
    throw new AppError("INVALID_INPUT", "An auto-reply needs a text", { reason: "auto_reply_no_body" });
  const hoursProblem = autoReply?.outsideHours && businessHoursProblem(autoReply.outsideHours);
  if (hoursProblem) throw new AppError("INVALID_INPUT", hoursProblem, { reason: "auto_reply_hours" });
}

export async function adminUpdateInbox(
  ctx: CoreContext,
  actorId: number,
  input: { inboxId: number; name?: string; settings?: InboxSettings },
): Promise<Inbox> {
  await assertAdmin(ctx.db, actorId);
  const inbox = await getInbox(ctx.db, input.inboxId);
  const name = input.name?.trim();
  if (input.name !== undefined && !name) throw new AppError("INVALID_INPUT", "An inbox needs a name");
  checkSettings(input.settings);
  const [row] = await ctx.db
    .update(inboxes)
    .set({ name: name ?? inbox.name, settings: { ...inbox.settings, ...input.settings } })
    .where(eq(inboxes.id, inbox.id))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "No such inbox");
  return row;
}

/**
 * Adds and removes members of a shared inbox by user id. Returns the users whose access
 * changed, so the realtime layer can re-check their open rooms.
 */
export async function adminChangeMembers(
  ctx: CoreContext,
  actorId: number,
  input: { inboxId: number; add?: number[]; remove?: number[]; role?: MemberRole },
): Promise<{ changedUserIds: number[] }> {
  await assertAdmin(ctx.db, actorId);
  const inbox = await getInbox(ctx.db, input.inboxId);
  if (inbox.kind !== "shared")
    throw new AppError(
      "INVALID_INPUT",
      `${inbox.address} is a personal address; only shared inboxes have members`,
    );
  const add = [...new Set(input.add ?? [])];
  const remove = [...new Set(input.remove ?? [])];
  await emailsOf(ctx, [...add, ...remove]);
  await ctx.db.transaction(async (tx) => {
    if (add.length)
      await tx
        .insert(inboxMembers)
        .values(add.map((userId) => ({ inboxId: inbox.id, userId, role: input.role ?? "member" })))
        .onConflictDoNothing();
    if (remove.length)
      await tx
        .delete(inboxMembers)
        .where(and(eq(inboxMembers.inboxId, inbox.id), inArray(inboxMembers.userId, remove)));
  });
  return { changedUserIds: [...add, ...remove] };
}

/** Adds and removes other addresses of an inbox (changeInboxAliases); returns them after. */
export async function adminChangeAliases(
  ctx: CoreContext,
  actorId: number,
  input: { inboxId: number; add?: string[]; remove?: string[] },
): Promise<string[]> {
  await assertAdmin(ctx.db, actorId);
  return changeInboxAliases(ctx, input.inboxId, input);
}

async function emailsOf(ctx: CoreContext, ids: number[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await ctx.db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(inArray(users.id, ids));
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw new AppError("NOT_FOUND", `No such user: ${missing.join(", ")}`);
  return rows.map((r) => r.email);
}

export async function adminListDomains(ctx: CoreContext, actorId: number): Promise<Domain[]> {
  await assertAdmin(ctx.db, actorId);
  return listDomains(ctx);
}

export async function adminAddDomain(ctx: CoreContext, actorId: number, name: string): Promise<Domain> {
  await assertAdmin(ctx.db, actorId);
  return addDomain(ctx, name);
}
