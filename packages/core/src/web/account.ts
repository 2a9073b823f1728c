import { users } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import type { CoreContext } from "../context";
import { type PublicUser, setPassword, toPublicUser } from "../directory/users";
import { AppError } from "../errors";
import { verifyPassword } from "../passwords";
import { deleteSessionsOfUser } from "./sessions";

/** Locales the web app ships; the UI defaults to Japanese. */
export const SUPPORTED_LOCALES = ["ja", "en"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

/**
 * Changes one's own password after checking the current one; every other session of the
 * user is logged out (a stolen cookie stops working), the current one stays.
 */
export async function changeOwnPassword(
  ctx: CoreContext,
  input: { userId: number; currentPassword: string; newPassword: string; keepSessionId?: string },
): Promise<void> {
  const [user] = await ctx.db.select().from(users).where(eq(users.id, input.userId));
  if (!user?.active) throw new AppError("UNAUTHENTICATED", "Not logged in");
  if (!(await verifyPassword(user.passwordHash, input.currentPassword)))
    throw new AppError("INVALID_INPUT", "The current password is not correct", { field: "currentPassword" });
  if (input.newPassword === input.currentPassword)
    throw new AppError("INVALID_INPUT", "The new password must differ from the current one", {
      field: "newPassword",
    });
  await setPassword(ctx, input.userId, input.newPassword);
  await deleteSessionsOfUser(ctx, input.userId, input.keepSessionId);
}

/** The user's own display name, language and time zone. */
export async function updateProfile(
  ctx: CoreContext,
  userId: number,
  patch: { name?: string; locale?: Locale; timeZone?: string },
): Promise<PublicUser> {
  const set: Partial<typeof users.$inferInsert> = {};
  if (patch.name !== undefined) {
    const name = patch.name.trim();
    if (!name) throw new AppError("INVALID_INPUT", "A user needs a name", { field: "name" });
    set.name = name;
  }
  if (patch.locale !== undefined) set.locale = patch.locale;
  if (patch.timeZone !== undefined) {
    if (!isTimeZone(patch.timeZone))
      throw new AppError("INVALID_INPUT", `Unknown time zone ${patch.timeZone}`, { field: "timeZone" });
    set.timeZone = patch.timeZone;
  }
  const [row] = Object.keys(set).length
    ? await ctx.db.update(users).set(set).where(eq(users.id, userId)).returning()
    : await ctx.db.select().from(users).where(eq(users.id, userId));
  if (!row) throw new AppError("NOT_FOUND", "No such user");
  return toPublicUser(row);
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
