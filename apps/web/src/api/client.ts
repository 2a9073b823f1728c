import type { AppRouter, RouterInputs, RouterOutputs } from "@madoguchi/api/router";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { CSRF_HEADER, TRPC_URL } from "./constants";

/**
 * The one tRPC client. Every request carries the anti-CSRF header (the server refuses
 * mutations without it); the session cookie is httpOnly and travels by itself (same origin).
 */
export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: TRPC_URL, headers: () => ({ [CSRF_HEADER]: "1" }), maxURLLength: 4000 })],
});

export type Outputs = RouterOutputs;
export type Inputs = RouterInputs;
export type Me = NonNullable<Outputs["auth"]["me"]>;
export type InboxItem = Outputs["inbox"]["list"]["inboxes"][number];
export type ConversationRow = Outputs["conversation"]["list"]["rows"][number];
export type ConversationDetail = Outputs["conversation"]["get"];
export type ViewMessage = ConversationDetail["messages"][number];
export type ViewComment = ConversationDetail["comments"][number];
export type Activity = ConversationDetail["activity"][number];
export type Status = ConversationRow["status"];
export type ListInput = Inputs["conversation"]["list"];
export type Member = Outputs["inbox"]["members"][number];
export type Label = Outputs["label"]["list"]["labels"][number];
/** A label as a conversation or a list row carries it. */
export type LabelRef = ConversationRow["labels"][number];
/** An inbox's 自動振り分け rule, as its list has it. */
export type Rule = Outputs["rule"]["list"]["rules"][number];
export type DraftView = NonNullable<Outputs["draft"]["get"]["editing"]>;

export const STATUSES: readonly Status[] = ["open", "in_progress", "waiting", "done"];

/** A fresh id per user action: a retried request applies once on the server. */
export const mutationId = (): string => crypto.randomUUID();
