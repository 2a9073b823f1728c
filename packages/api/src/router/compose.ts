import {
  AppError,
  type Draft,
  type DraftAttachmentView,
  discardNewDraft,
  draftFilesForSend,
  fileContentsOfDraft,
  forwardedFiles,
  forwardSource,
  forwardStart,
  getInbox,
  inboxSender,
  listNewDrafts,
  ownNewDraft,
  removeNewDraftAttachment,
  replyContext,
  saveNewDraft,
  sendWebNew,
  setStatus,
} from "@madoguchi/core";
import { z } from "zod";
import { applyOnce, createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";
import { draftContent, forwardInput, id, newMessageInput } from "./reply.types";
import { buildMessage, draftOf, heldUntilOf, sendOnConversation } from "./send-message";

const newDraftView = (d: Draft & { attachments?: DraftAttachmentView[] }) => ({
  id: d.id,
  inboxId: d.inboxId,
  content: d.content,
  attachments: d.attachments ?? [],
  updatedAt: iso(d.updatedAt),
});

/** Forward (転送) and new message (新規作成); replies live in router/reply.ts. */
export const composeRouter = createRouter({
  /** How a forward of this message starts: "Fwd:" subject, the quote in the user's language, the files. */
  forwardStart: protectedProcedure.input(z.object({ messageId: id })).query(async ({ ctx, input }) => {
    const f = await forwardStart(ctx.ctx, ctx.user.id, input.messageId);
    return {
      conversationId: f.source.conversationId,
      subject: f.subject,
      quote: f.quote,
      attachments: f.source.attachments,
    };
  }),

  /**
   * Forwards a stored message with its attachments (and the draft's uploads). It stays in the
   * conversation (threaded under the original) but is not an answer to the customer, so the
   * reply guard neither refuses nor counts it. Held for the undo window like a reply.
   */
  forward: protectedProcedure.input(forwardInput).mutation(({ ctx, input, path }) =>
    applyOnce(ctx, path, input.clientMutationId, async () => {
      const source = await forwardSource(ctx.ctx, ctx.user.id, input.messageId);
      if (source.conversationId !== input.conversationId)
        throw new AppError("INVALID_INPUT", "The message is not in this conversation");
      const context = await replyContext(ctx.ctx, ctx.user.id, input.conversationId);
      const files = [
        ...(input.withAttachments ? await forwardedFiles(ctx.ctx, source) : []),
        ...(await draftFilesForSend(ctx.ctx, { userId: ctx.user.id, conversationId: input.conversationId })),
      ];
      return sendOnConversation(
        ctx,
        context,
        { ...input, override: false },
        {
          // To a third party, not an answer to the customer: from the main address.
          from: inboxSender(context.inbox),
          thread: {
            inReplyTo: source.messageIdHeader,
            references: source.messageIdHeader ? [...source.references, source.messageIdHeader] : [],
            scope: `fwd:${input.conversationId}`,
          },
          attachments: files,
          guard: false,
          draft: draftOf(input, {
            forward: { messageId: input.messageId, withAttachments: input.withAttachments },
          }),
        },
      );
    }),
  ),

  /** 新規作成: from a shared address the caller is a member of; starts its own conversation. */
  newMessage: protectedProcedure.input(newMessageInput).mutation(({ ctx, input, path }) =>
    applyOnce(ctx, path, input.clientMutationId, async () => {
      const inbox = await getInbox(ctx.ctx.db, input.inboxId);
      if (input.draftId !== undefined) await ownNewDraft(ctx.ctx, ctx.user.id, input.draftId);
      const files = input.draftId === undefined ? [] : await fileContentsOfDraft(ctx.ctx, input.draftId);
      const built = await buildMessage(
        ctx,
        inboxSender(inbox),
        input,
        {
          inReplyTo: null,
          references: [],
          scope: `new:${input.inboxId}`,
        },
        files,
      );
      const result = await sendWebNew(ctx.ctx, {
        userId: ctx.user.id,
        inboxId: input.inboxId,
        raw: built.raw,
        messageIdHeader: built.messageId,
        subject: input.subject,
        mailFrom: inbox.address,
        recipients: built.recipients,
        draft: draftOf(input),
        heldUntil: heldUntilOf(ctx, inbox, input.sendAt),
        ...(input.draftId !== undefined ? { draftId: input.draftId } : {}),
      });
      ctx.runtime.deps.onQueued?.();
      if (input.statusAfter && result.conversationId !== null && !result.duplicate)
        await setStatus(ctx.ctx, {
          conversationId: result.conversationId,
          userId: ctx.user.id,
          status: input.statusAfter,
        });
      return {
        sent: true as const,
        duplicate: result.duplicate,
        outboundId: result.outboundId,
        conversationId: result.conversationId,
        messageId: built.messageId,
        heldUntil: result.heldUntil ? iso(result.heldUntil) : null,
      };
    }),
  ),

  /** The caller's unsent new messages (newest first), with their files: restored after a reload. */
  newDrafts: protectedProcedure.query(async ({ ctx }) => ({
    drafts: (await listNewDrafts(ctx.ctx, ctx.user.id)).map(newDraftView),
  })),

  /** Autosave of a new message: the first call creates the draft, later ones pass its id. */
  saveNewDraft: protectedProcedure
    .input(z.object({ inboxId: id, draftId: id.optional(), content: draftContent }))
    .mutation(async ({ ctx, input }) =>
      newDraftView(await saveNewDraft(ctx.ctx, { ...input, userId: ctx.user.id })),
    ),

  discardNewDraft: protectedProcedure.input(z.object({ draftId: id })).mutation(async ({ ctx, input }) => {
    await discardNewDraft(ctx.ctx, { userId: ctx.user.id, draftId: input.draftId });
    return { ok: true as const };
  }),

  removeNewDraftAttachment: protectedProcedure
    .input(z.object({ draftId: id, attachmentId: id }))
    .mutation(async ({ ctx, input }) => {
      await removeNewDraftAttachment(ctx.ctx, { ...input, userId: ctx.user.id });
      return { ok: true as const };
    }),
});
