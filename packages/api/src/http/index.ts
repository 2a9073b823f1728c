import type http from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { startAutoReplier } from "../auto-replier";
import type { ApiDeps, ApiRuntime } from "../deps";
import { noRealtime } from "../realtime/events";
import { attachRealtime, type RunningRealtime } from "../realtime/server";
import { appRouter } from "../root";
import { startSnoozeWaker } from "../snooze-waker";
import { isAttachmentPath, serveAttachment } from "./attachment";
import { contextFactory } from "./context";
import { isDraftUploadPath, serveDraftUpload } from "./draft-upload";

export type { ApiDeps } from "../deps";
export { contentDisposition } from "./content-disposition";
export { SESSION_COOKIE } from "./cookies";

/** tRPC is served under this path: /api/trpc/<procedure>. */
export const TRPC_PATH = "/api/trpc";
/** Largest request body accepted (a reply with a long HTML body). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface MountedApi {
  /** Handles /api/* requests; returns false for any other path (the caller serves those). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  realtime: RunningRealtime;
  close(): Promise<void>;
}

/**
 * Mounts the web API on a node:http server: tRPC at /api/trpc, attachment downloads at
 * /api/attachments/:messageId/:index, draft uploads at /api/drafts/:conversationId/attachments,
 * and socket.io at /socket.io (it hooks the server itself).
 */
export async function mountApi(server: http.Server, deps: ApiDeps): Promise<MountedApi> {
  const runtime: ApiRuntime = { deps, events: noRealtime };
  const onError = deps.onError ?? ((err: unknown) => console.error("madoguchi api:", err));
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PATH}/`,
    createContext: contextFactory(runtime),
    maxBodySize: MAX_BODY_BYTES,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") onError(Object.assign(error, { path }));
    },
  });
  const realtime = await attachRealtime(server, runtime);
  const snoozes = startSnoozeWaker(runtime, onError, deps.snoozeTickMs);
  const autoReplies = startAutoReplier(runtime, onError, deps.autoReplyTickMs);
  return {
    realtime,
    handle(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname.startsWith(`${TRPC_PATH}/`)) {
        res.setHeader("Cache-Control", "no-store");
        trpc(req, res);
        return true;
      }
      const serve = isAttachmentPath(url.pathname)
        ? serveAttachment
        : isDraftUploadPath(url.pathname)
          ? serveDraftUpload
          : null;
      if (serve) {
        serve(runtime, req, res, url).catch((err: unknown) => {
          onError(err);
          if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
          res.end("Internal error\n");
        });
        return true;
      }
      return false;
    },
    async close() {
      await Promise.all([snoozes.close(), autoReplies.close()]);
      await realtime.close();
    },
  };
}
