import type { Queryable } from "@madoguchi/db/client";
import { inboxMembers, users } from "@madoguchi/db/schema";
import { asc, eq, sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { hashPassword, verifyPassword } from "../passwords";
import { normalizeAddress } from "./addresses";
import { insertInbox } from "./inboxes";

export type User = typeof users.$inferSelect;
export type PublicUser = Omit<User, "passwordHash">;

/** Passwords shorter than this are refused (NIST SP 800-63B minimum). */
export const MIN_PASSWORD_LENGTH = 8;

export function toPublicUser({ passwordHash: _, ...user }: User): PublicUser {
  return user;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()));
  return row;
}

/**
 * Creates a user together with their personal inbox (their own address, one member), so
 * IMAP's INBOX, POP3 and the web app treat personal and shared mail alike.
 */
export async function addUser(
  ctx: CoreContext,
  input: { email: string; name: string; password: string; isAdmin?: boolean; mustChangePassword?: boolean },
): Promise<PublicUser> {
  const { address } = normalizeAddress(input.email);
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError("INVALID_INPUT", `Passwords need at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (!input.name.trim()) throw new AppError("INVALID_INPUT", "A user needs a name");
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction(async (tx) => {
    if (await findUserByEmail(tx, address)) throw new AppError("CONFLICT", `User ${address} already exists`);
    const [user] = await tx
      .insert(users)
      .values({
        email: address,
        name: input.name.trim(),
        passwordHash,
        isAdmin: input.isAdmin ?? false,
        mustChangePassword: input.mustChangePassword ?? false,
      })
      .returning();
    if (!user) throw new Error("insert into users returned nothing");
    const inbox = await insertInbox(tx, { address, name: user.name, kind: "personal", ownerUserId: user.id });
    await tx.insert(inboxMembers).values({ inboxId: inbox.id, userId: user.id, role: "owner" });
    return toPublicUser(user);
  });
}

export async function listUsers(ctx: CoreContext): Promise<PublicUser[]> {
  const rows = await ctx.db.select().from(users).orderBy(asc(users.email));
  return rows.map(toPublicUser);
}

export async function countUsers(db: Queryable): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

/** Checks a login; the same answer for unknown user and wrong password. */
export async function authenticate(
  ctx: CoreContext,
  email: string,
  password: string,
): Promise<PublicUser | null> {
  const user = await findUserByEmail(ctx.db, email);
  if (!user?.active) {
    // Spend the same time as a real check so the answer does not reveal which accounts exist.
    dummyHash ??= hashPassword("no such user: dummy password");
    await verifyPassword(await dummyHash, password);
    return null;
  }
  return (await verifyPassword(user.passwordHash, password)) ? toPublicUser(user) : null;
}

let dummyHash: Promise<string> | undefined;

export async function setPassword(ctx: CoreContext, userId: number, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError("INVALID_INPUT", `Passwords need at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const passwordHash = await hashPassword(password);
  await ctx.db.update(users).set({ passwordHash, mustChangePassword: false }).where(eq(users.id, userId));
}
