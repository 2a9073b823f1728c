import { listNotifications, markNotificationsRead } from "@madoguchi/core";
import { z } from "zod";
import { createRouter, protectedProcedure } from "../trpc";
import { notificationView } from "../view/notification";

/** In-app notifications (@mentions); pushed live as realtime "notification" too. */
export const notificationRouter = createRouter({
  list: protectedProcedure
    .input(
      z
        .object({
          unreadOnly: z.boolean().default(false),
          beforeId: z.number().int().positive().optional(),
          limit: z.number().int().min(1).max(100).default(30),
        })
        .default({ unreadOnly: false, limit: 30 }),
    )
    .query(async ({ ctx, input }) => {
      const r = await listNotifications(ctx.ctx, ctx.user.id, input);
      return { items: r.items.map(notificationView), unread: r.unread };
    }),
  markRead: protectedProcedure
    .input(z.object({ ids: z.union([z.array(z.number().int().positive()).max(1000), z.literal("all")]) }))
    .mutation(({ ctx, input }) => markNotificationsRead(ctx.ctx, ctx.user.id, input.ids)),
});
