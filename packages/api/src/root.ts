import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { adminRouter } from "./router/admin";
import { authRouter } from "./router/auth";
import { changesRouter } from "./router/changes";
import { commentRouter } from "./router/comment";
import { composeRouter } from "./router/compose";
import { connectorRouter } from "./router/connector";
import { conversationRouter } from "./router/conversation/index";
import { draftRouter } from "./router/draft";
import { inboxRouter } from "./router/inbox";
import { labelRouter } from "./router/label";
import { notificationRouter } from "./router/notification";
import { replyRouter } from "./router/reply";
import { ruleRouter } from "./router/rule";
import { templateRouter } from "./router/template";
import { createRouter } from "./trpc";

/** The web API: names only; each area lives in router/<area>.ts. */
export const appRouter = createRouter({
  auth: authRouter,
  inbox: inboxRouter,
  conversation: conversationRouter,
  comment: commentRouter,
  reply: replyRouter,
  compose: composeRouter,
  draft: draftRouter,
  label: labelRouter,
  rule: ruleRouter,
  template: templateRouter,
  changes: changesRouter,
  notification: notificationRouter,
  admin: adminRouter,
  connector: connectorRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { type MessageKey, USER_MESSAGES } from "./errors";
export * from "./realtime/protocol";
export type { ErrorData } from "./trpc";
export { CSRF_HEADER } from "./trpc";
