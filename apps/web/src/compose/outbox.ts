import type { QueryClient } from "@tanstack/react-query";
import { type Inputs, mutationId, trpc } from "../api/client";
import { errorData, errorKey, type ReplyConflictInfo, replyConflictOf } from "../api/errors";
import { keys, refreshConversation } from "../api/keys";
import type { MessageKey } from "../i18n";
import { Store } from "../lib/store";

export type SendInput = Omit<Inputs["reply"]["send"], "clientMutationId"> & {
  /** A forward (転送): sent through compose.forward with the original's attachments. */
  forward?: { messageId: number; withAttachments: boolean };
};

export type PendingSend = {
  id: string;
  inboxId: number;
  conversationId: number;
  /** What was sent (null when the send was found held after a reload). */
  input: SendInput | null;
} & (
  | { state: "sending" | "sent" }
  /** Taken back: by this user, or by the server because the customer wrote first (送信予約). */
  | { state: "cancelled"; why?: "customer_wrote" }
  /** Accepted and held by the server until sendAt (ms since epoch); cancelSend undoes it. */
  | { state: "held" | "cancelling"; outboundId: number; sendAt: number }
  | { state: "failed"; error: MessageKey }
  | { state: "conflict"; conflict: ReplyConflictInfo }
);

/**
 * Sends of this tab, kept outside the composer so navigating away neither loses nor silently
 * cancels them. The server holds each accepted send for the inbox's undo window (it is in
 * the queue rows, so closing the tab does not stop it); here is only the countdown and the
 * undo button. One per conversation: a second confirm while one is under way is ignored.
 */
export const outbox = new Store<PendingSend[]>([]);
const timers = new Map<string, number>();

const replace = (id: string, patch: Partial<PendingSend>) =>
  outbox.update((list) => list.map((p) => (p.id === id ? ({ ...p, ...patch } as PendingSend) : p)));

export const isBusy = (p: PendingSend | undefined) =>
  p?.state === "sending" || p?.state === "held" || p?.state === "cancelling";

export function pendingFor(conversationId: number): PendingSend | undefined {
  return outbox.get().find((p) => p.conversationId === conversationId);
}

function hold(id: string, outboundId: number, heldUntil: string) {
  const sendAt = Date.parse(heldUntil);
  replace(id, { state: "held", outboundId, sendAt });
  timers.set(
    id,
    window.setTimeout(
      () => {
        timers.delete(id);
        const p = outbox.get().find((x) => x.id === id);
        if (p?.state === "held") replace(id, { state: "sent" });
      },
      Math.max(0, sendAt - Date.now()),
    ),
  );
}

export async function queueSend(qc: QueryClient, args: { inboxId: number; input: SendInput }): Promise<void> {
  if (isBusy(pendingFor(args.input.conversationId))) return;
  forget(args.input.conversationId);
  // The pending id doubles as the client mutation id: a retried request is applied once.
  const id = mutationId();
  outbox.update((list) => [
    ...list,
    {
      id,
      inboxId: args.inboxId,
      conversationId: args.input.conversationId,
      input: args.input,
      state: "sending",
    },
  ]);
  try {
    const { forward, override, ...common } = args.input;
    const r = forward
      ? await trpc.compose.forward.mutate({ ...common, ...forward, clientMutationId: id })
      : await trpc.reply.send.mutate({ ...common, override, clientMutationId: id });
    if (r.heldUntil) hold(id, r.outboundId, r.heldUntil);
    else replace(id, { state: "sent" });
  } catch (err) {
    const conflict = replyConflictOf(err);
    if (conflict) replace(id, { state: "conflict", conflict });
    else replace(id, { state: "failed", error: errorKey(err) });
  } finally {
    refreshConversation(qc, { inboxId: args.inboxId, conversationId: args.input.conversationId });
    void qc.invalidateQueries({ queryKey: keys.drafts(args.input.conversationId) });
  }
}

/** A send this user made in another tab or before a reload, still inside its window. */
export function adoptHeld(args: {
  inboxId: number;
  conversationId: number;
  outboundId: number;
  releaseAt: string;
}) {
  if (outbox.get().some((p) => "outboundId" in p && p.outboundId === args.outboundId)) return;
  const id = mutationId();
  outbox.update((list) => [
    ...list.filter((p) => p.conversationId !== args.conversationId),
    { id, inboxId: args.inboxId, conversationId: args.conversationId, input: null, state: "sending" },
  ]);
  hold(id, args.outboundId, args.releaseAt);
}

/** Undo: the server removes the send and gives the draft back; too late means it went out. */
export async function cancelSend(qc: QueryClient, id: string): Promise<void> {
  const p = outbox.get().find((x) => x.id === id);
  if (p?.state !== "held") return;
  replace(id, { state: "cancelling" });
  try {
    await trpc.reply.cancel.mutate({ outboundId: p.outboundId });
    window.clearTimeout(timers.get(id));
    timers.delete(id);
    replace(id, { state: "cancelled" });
  } catch (err) {
    // Too late: it went out, which the composer reports as sent.
    if (errorData(err)?.messageKey === "error.conflict") replace(id, { state: "sent" });
    else replace(id, { state: "held" });
  } finally {
    refreshConversation(qc, p);
    void qc.invalidateQueries({ queryKey: keys.drafts(p.conversationId) });
  }
}

/**
 * The server took a held send of this user back (a 送信予約 the customer overtook, core's
 * withdrawOvertakenSends), as the realtime change log tells: its undo bar gives way to the
 * form, with the text and a line saying why.
 */
export function takenBack(outboundId: number): void {
  const p = outbox.get().find((x) => "outboundId" in x && x.outboundId === outboundId);
  if (p?.state !== "held") return;
  window.clearTimeout(timers.get(p.id));
  timers.delete(p.id);
  replace(p.id, { state: "cancelled", why: "customer_wrote" });
}

/** Drops finished entries of a conversation (after the composer showed the outcome). */
export function forget(conversationId: number): void {
  outbox.update((list) => list.filter((p) => p.conversationId !== conversationId || isBusy(p)));
}
