import { MAX_BULK } from "@madoguchi/core";
import { conversationStatuses } from "@madoguchi/db/schema";
import { z } from "zod";

export const id = z.number().int().positive();
export const seq = z.number().int().nonnegative();
/** Client-chosen id (e.g. crypto.randomUUID()) making a mutation safe to retry. */
export const clientMutationId = z.string().min(1).max(100).optional();
export const status = z.enum(conversationStatuses);

export const listInput = z.object({
  inboxId: id,
  status: status.optional(),
  assignee: z.enum(["me", "unassigned", "anyone"]).default("anyone"),
  /** One teammate's conversations (overrides `assignee`). */
  assigneeId: id.optional(),
  unread: z.boolean().optional(),
  hasAttachment: z.boolean().optional(),
  /** Only conversations with a 送信予約 waiting. */
  scheduled: z.boolean().optional(),
  /** 迷惑メール only; without it, everything but. */
  junk: z.boolean().optional(),
  /** Only conversations carrying this ラベル. */
  labelId: id.optional(),
  /** Space-separated substrings (全角スペース too), all must match subject, body or addresses. */
  q: z.string().max(200).optional(),
  cursor: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});

/** "Assigned to me" across every inbox of the caller: the list filters without inbox or assignee. */
export const assignedInput = listInput.omit({ inboxId: true, assignee: true, assigneeId: true });

export const getInput = z.object({
  conversationId: id,
  /** Show remote images in HTML mail (the user clicked "show images"). */
  allowRemote: z.boolean().default(false),
});

export const setStatusInput = z.object({ conversationId: id, status, clientMutationId });

/** 一括操作: one action on the conversations selected in the list (a page at most). */
export const bulkInput = z.object({
  conversationIds: z.array(id).min(1).max(MAX_BULK),
  action: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("status"), status }),
    z.object({ kind: z.literal("assignee"), assigneeId: id.nullable() }),
    z.object({ kind: z.literal("junk"), junk: z.boolean() }),
    z.object({ kind: z.literal("read"), read: z.boolean() }),
    z.object({ kind: z.literal("label"), labelId: id, add: z.boolean() }),
  ]),
  clientMutationId,
});

/** ラベル put on (add) and taken off (remove) a conversation at once. */
export const setLabelsInput = z.object({
  conversationId: id,
  add: z.array(id).max(100).default([]),
  remove: z.array(id).max(100).default([]),
  clientMutationId,
});

/** スヌーズ until a time (ISO 8601), or null to take it off (解除). */
export const snoozeInput = z.object({
  conversationId: id,
  until: z.string().datetime({ offset: true }).nullable(),
  clientMutationId,
});

/** 迷惑メールにする (true) / 迷惑メールではない (false). */
export const setJunkInput = z.object({ conversationId: id, junk: z.boolean(), clientMutationId });

export const assignInput = z.object({
  conversationId: id,
  /** null unassigns. */
  assigneeId: id.nullable(),
  clientMutationId,
});

export const markReadInput = z.object({
  conversationId: id,
  /** Read up to this seq (default: everything); ignored when read is false. */
  seq: seq.optional(),
  /** false marks the conversation unread again. */
  read: z.boolean().default(true),
});
