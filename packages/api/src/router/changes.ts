import { assertInboxAccess, changesSince, inboxHead } from "@madoguchi/core";
import { z } from "zod";
import { createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";

const MAX_BATCH = 500;

/** Catch-up from the change log: what a client pulls after a nudge or a reconnect. */
export const changesRouter = createRouter({
  /**
   * Changes of an inbox after `afterSeq`, oldest first. `more` says another call is needed;
   * `head` is the inbox's newest seq. Kinds: see packages/db/src/schema/changes.ts.
   */
  since: protectedProcedure
    .input(
      z.object({
        inboxId: z.number().int().positive(),
        afterSeq: z.number().int().nonnegative(),
        limit: z.number().int().min(1).max(MAX_BATCH).default(MAX_BATCH),
      }),
    )
    .query(async ({ ctx, input }) => {
      await assertInboxAccess(ctx.ctx.db, ctx.user.id, input.inboxId);
      const head = await inboxHead(ctx.ctx, ctx.user.id, input.inboxId);
      const rows = await changesSince(ctx.ctx.db, input.inboxId, input.afterSeq, input.limit);
      return {
        changes: rows.map((c) => ({
          seq: c.seq,
          kind: c.kind,
          conversationId: c.conversationId,
          messageId: c.messageId,
          actorId: c.actorId,
          data: c.data,
          at: iso(c.createdAt),
        })),
        more: rows.length === input.limit && (rows.at(-1)?.seq ?? 0) < head,
        head,
      };
    }),
});
