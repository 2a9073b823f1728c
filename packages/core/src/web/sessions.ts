import { createHash, randomBytes } from "node:crypto";
import { sessions, users } from "@madoguchi/db/schema";
import { and, eq, gt, lt, ne } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { type PublicUser, toPublicUser } from "../directory/users";

/** A session lives this long after its last use (sliding), and never longer than SESSION_MAX_AGE_MS. */
export const SESSION_IDLE_MS = 14 * 24 * 3_600_000;
export const SESSION_MAX_AGE_MS = 90 * 24 * 3_600_000;
/** lastSeenAt/expiresAt are written at most this often per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

/** The cookie carries the random token; the database only its sha256, so a dump is no key. */
export const hashSessionToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export interface NewSession {
  token: string;
  expiresAt: Date;
}

export async function createSession(
  ctx: CoreContext,
  input: { userId: number; userAgent?: string | null; remoteAddress?: string | null },
): Promise<NewSession> {
  const now = nowOf(ctx);
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
  // Logging in is also when old sessions of everyone are swept: cheap with the expiry index.
  await ctx.db.delete(sessions).where(lt(sessions.expiresAt, now));
  await ctx.db.insert(sessions).values({
    id: hashSessionToken(token),
    userId: input.userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    userAgent: input.userAgent?.slice(0, 500) ?? null,
    remoteAddress: input.remoteAddress ?? null,
  });
  return { token, expiresAt };
}

export interface SessionUser {
  sessionId: string;
  expiresAt: Date;
  user: PublicUser;
}

/** The active user behind a cookie token, or null (unknown, expired, or deactivated user). */
export async function findSessionUser(ctx: CoreContext, token: string): Promise<SessionUser | null> {
  if (!token || token.length > 200) return null;
  const now = nowOf(ctx);
  const id = hashSessionToken(token);
  const [row] = await ctx.db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)));
  if (!row?.user.active) return null;
  let expiresAt = row.session.expiresAt;
  if (now.getTime() - row.session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    const cap = row.session.createdAt.getTime() + SESSION_MAX_AGE_MS;
    expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, cap));
    await ctx.db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, id));
  }
  return { sessionId: id, expiresAt, user: toPublicUser(row.user) };
}

export async function deleteSession(ctx: CoreContext, token: string): Promise<void> {
  await ctx.db.delete(sessions).where(eq(sessions.id, hashSessionToken(token)));
}

/** Logs a user out everywhere, optionally except the session making the request. */
export async function deleteSessionsOfUser(
  ctx: CoreContext,
  userId: number,
  exceptSessionId?: string,
): Promise<void> {
  await ctx.db
    .delete(sessions)
    .where(
      exceptSessionId
        ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId))
        : eq(sessions.userId, userId),
    );
}

/** The user behind a session id (the hash), for long-lived connections re-checking their login. */
export async function findSessionUserById(ctx: CoreContext, sessionId: string): Promise<PublicUser | null> {
  const [row] = await ctx.db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, nowOf(ctx))));
  return row?.user.active ? toPublicUser(row.user) : null;
}
