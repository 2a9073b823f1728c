import {
  changeOwnPassword,
  createSession,
  deleteSession,
  login,
  SUPPORTED_LOCALES,
  updateProfile,
} from "@madoguchi/core";
import { z } from "zod";
import { userError } from "../errors";
import { createRouter, protectedProcedure, publicProcedure } from "../trpc";
import { userView } from "../view/user";

const password = z.string().min(1).max(1000);

export const authRouter = createRouter({
  /** Email + password → session cookie (httpOnly, SameSite=Lax, Secure off loopback). */
  login: publicProcedure
    .input(z.object({ email: z.string().trim().min(1).max(254), password }))
    .mutation(async ({ ctx, input }) => {
      const result = await login(
        { ...ctx.ctx, throttle: ctx.runtime.deps.throttle },
        { ...input, remoteAddress: ctx.remoteAddress, protocol: "web" },
      );
      if (!result.ok && result.reason === "locked")
        throw userError("TOO_MANY_REQUESTS", "auth.locked", "Too many failed logins from your address", {
          retryAfterSeconds: result.retryAfterSeconds,
        });
      if (!result.ok) throw userError("UNAUTHORIZED", "auth.invalid", "Wrong email address or password");
      const session = await createSession(ctx.ctx, {
        userId: result.user.id,
        userAgent: ctx.userAgent,
        remoteAddress: ctx.remoteAddress,
      });
      ctx.setSessionCookie(session.token, session.expiresAt);
      return { user: userView(result.user), expiresAt: session.expiresAt.toISOString() };
    }),

  /** Ends this session (idempotent: logging out twice is fine). */
  logout: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await deleteSession(ctx.ctx, ctx.sessionToken);
    if (ctx.user && ctx.sessionId)
      ctx.runtime.events.sessionsEnded({ userId: ctx.user.id, sessionId: ctx.sessionId });
    ctx.clearSessionCookie();
    return { ok: true as const };
  }),

  /** The logged-in user, or null: the SPA's first call. */
  me: publicProcedure.query(({ ctx }) => (ctx.user ? userView(ctx.user) : null)),

  /** Checks the current password; other sessions of the user are logged out. */
  changePassword: protectedProcedure
    .input(z.object({ currentPassword: password, newPassword: password }))
    .mutation(async ({ ctx, input }) => {
      await changeOwnPassword(ctx.ctx, {
        userId: ctx.user.id,
        currentPassword: input.currentPassword,
        newPassword: input.newPassword,
        keepSessionId: ctx.sessionId,
      });
      ctx.runtime.events.sessionsEnded({ userId: ctx.user.id, exceptSessionId: ctx.sessionId });
      return { ok: true as const };
    }),

  /** Own display name, UI language (ja/en) and time zone (IANA, e.g. Asia/Tokyo). */
  updateProfile: protectedProcedure
    .input(
      z.object({
        name: z.string().max(200).optional(),
        locale: z.enum(SUPPORTED_LOCALES).optional(),
        timeZone: z.string().max(100).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => userView(await updateProfile(ctx.ctx, ctx.user.id, input))),
});
