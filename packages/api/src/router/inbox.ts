import { inboxOverview, listInboxMembers } from "@madoguchi/core";
import { z } from "zod";
import { createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";

const id = z.number().int().positive();

export const inboxRouter = createRouter({
  /** The caller's inboxes (personal first) with unread, per-status and assigned-to-me counts. */
  list: protectedProcedure.query(async ({ ctx }) => {
    const rows = await inboxOverview(ctx.ctx, ctx.user.id);
    return {
      inboxes: rows.map((r) => ({
        id: r.inbox.id,
        address: r.inbox.address,
        aliases: r.aliases,
        name: r.inbox.name,
        kind: r.inbox.kind,
        seq: r.inbox.modseq,
        settings: {
          signature: r.inbox.settings.signature ?? "",
          undoSendSeconds: r.inbox.settings.undoSendSeconds ?? 10,
          statusOnReply: r.inbox.settings.statusOnReply ?? "done",
        },
        createdAt: iso(r.inbox.createdAt),
        unread: r.unread,
        counts: r.counts,
        junk: r.junk,
        assignedToMe: r.assignedToMe,
      })),
      /** Not-done conversations assigned to the caller, across all inboxes. */
      assignedToMe: rows.reduce((n, r) => n + r.assignedToMe, 0),
    };
  }),

  /** Active members (assignee picker, @mention autocomplete). */
  members: protectedProcedure
    .input(z.object({ inboxId: id }))
    .query(({ ctx, input }) => listInboxMembers(ctx.ctx, ctx.user.id, input.inboxId)),
});
