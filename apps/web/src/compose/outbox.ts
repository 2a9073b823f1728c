import type { QueryClient } from "@tanstack/react-query";
import { type Inputs, mutationId, trpc } from "../api/client";
import { errorKey, type ReplyConflictInfo, replyConflictOf } from "../api/errors";
import { keys } from "../api/keys";
import type { MessageKey } from "../i18n";
import { Store } from "../lib/store";

export type SendInput = Omit<Inputs["reply"]["send"], "clientMutationId">;

export type PendingSend = {
  id: string;
  inboxId: number;
  conversationId: number;
  input: SendInput;
  /** When the send really leaves (undo window end), ms since epoch. */
  sendAt: number;
} & (
  | { state: "waiting" | "sending" | "sent" | "cancelled" }
  | { state: "failed"; error: MessageKey }
  | { state: "conflict"; conflict: ReplyConflictInfo }
);

/**
 * Sends waiting out their undo window, kept outside the composer so navigating away neither
 * loses nor silently cancels them. One per conversation: a second confirm while one waits is
 * ignored (a double click sends once; the server's clientMutationId covers retries).
 */
export const outbox = new Store<PendingSend[]>([]);
const timers = new Map<string, number>();

const replace = (id: string, patch: Partial<PendingSend>) =>
  outbox.update((list) => list.map((p) => (p.id === id ? ({ ...p, ...patch } as PendingSend) : p)));

export function pendingFor(conversationId: number): PendingSend | undefined {
  return outbox.get().find((p) => p.conversationId === conversationId);
}

export function queueSend(
  qc: QueryClient,
  args: { inboxId: number; input: SendInput; undoSeconds: number },
): PendingSend | null {
  const existing = pendingFor(args.input.conversationId);
  if (existing && (existing.state === "waiting" || existing.state === "sending")) return null;
  forget(args.input.conversationId);
  const id = mutationId();
  const pending: PendingSend = {
    id,
    inboxId: args.inboxId,
    conversationId: args.input.conversationId,
    input: args.input,
    sendAt: Date.now() + args.undoSeconds * 1000,
    state: "waiting",
  };
  outbox.update((list) => [...list, pending]);
  timers.set(
    id,
    window.setTimeout(() => void deliver(qc, id), args.undoSeconds * 1000),
  );
  return pending;
}

/** Undo: only while the window is open; the request has not been made yet. */
export function cancelSend(id: string): boolean {
  const p = outbox.get().find((x) => x.id === id);
  if (p?.state !== "waiting") return false;
  window.clearTimeout(timers.get(id));
  timers.delete(id);
  replace(id, { state: "cancelled" });
  return true;
}

/** Drops finished entries of a conversation (after the composer showed the outcome). */
export function forget(conversationId: number): void {
  outbox.update((list) =>
    list.filter((p) => p.conversationId !== conversationId || p.state === "waiting" || p.state === "sending"),
  );
}

async function deliver(qc: QueryClient, id: string): Promise<void> {
  timers.delete(id);
  const p = outbox.get().find((x) => x.id === id);
  if (p?.state !== "waiting") return;
  replace(id, { state: "sending" });
  try {
    // The pending id doubles as the client mutation id: a retried request is applied once.
    await trpc.reply.send.mutate({ ...p.input, clientMutationId: id });
    replace(id, { state: "sent" });
  } catch (err) {
    const conflict = replyConflictOf(err);
    if (conflict) replace(id, { state: "conflict", conflict });
    else replace(id, { state: "failed", error: errorKey(err) });
  } finally {
    void qc.invalidateQueries({ queryKey: keys.conversation(p.conversationId) });
    void qc.invalidateQueries({ queryKey: keys.drafts(p.conversationId) });
    void qc.invalidateQueries({ queryKey: keys.list(p.inboxId) });
    void qc.invalidateQueries({ queryKey: keys.inboxes });
  }
}
