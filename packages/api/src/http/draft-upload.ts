import type { IncomingMessage, ServerResponse } from "node:http";
import {
  addDraftAttachment,
  addNewDraftAttachment,
  findSessionUser,
  isAppError,
  MAX_ATTACHMENT_BYTES,
} from "@madoguchi/core";
import type { ApiRuntime } from "../deps";
import { CSRF_HEADER } from "../trpc";
import { originMatchesHost, sessionTokenOf } from "./cookies";

/** A reply's draft by conversation, or a new message's draft by its id. */
const PATH_RE = /^\/api\/(drafts|new-drafts)\/(\d{1,15})\/attachments$/;

export const isDraftUploadPath = (pathname: string) => PATH_RE.test(pathname);

const MB = MAX_ATTACHMENT_BYTES / 1024 / 1024;
const TOO_LARGE = {
  code: "TOO_LARGE",
  ja: `ファイルが大きすぎます（1 ファイル ${MB} MB まで）`,
  en: `The file is too large (at most ${MB} MB per file)`,
};

/**
 * POST /api/drafts/:conversationId/attachments?filename=<name>: the body is the file's bytes
 * (Content-Type its type). Added to the caller's own editing draft on the conversation, for
 * members of its inbox only (checked in core). POST /api/new-drafts/:draftId/attachments does
 * the same for the caller's own new-message draft. Same CSRF rule as tRPC mutations. The body is
 * read only up to the limit: a larger one is cut off with 413 and nothing is stored.
 */
export async function serveDraftUpload(
  runtime: ApiRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const m = PATH_RE.exec(url.pathname);
  if (!m || req.method !== "POST")
    return reply(res, 405, { code: "METHOD", ja: "POST のみ", en: "POST only" });
  if (req.headers[CSRF_HEADER] !== "1" || !originMatchesHost(req))
    return reply(res, 403, {
      code: "CSRF",
      ja: "不正なリクエストです",
      en: "Missing CSRF header or foreign Origin",
    });
  const token = sessionTokenOf(req);
  const session = token ? await findSessionUser(runtime.deps.ctx, token) : null;
  if (!session)
    return reply(res, 401, { code: "UNAUTHENTICATED", ja: "ログインしてください", en: "Not logged in" });
  const filename = url.searchParams.get("filename") ?? "";
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_ATTACHMENT_BYTES) return reply(res, 413, TOO_LARGE, true);
  const content = await readLimited(req, MAX_ATTACHMENT_BYTES);
  if (!content) return reply(res, 413, TOO_LARGE, true);
  try {
    const file = {
      userId: session.user.id,
      filename,
      contentType:
        String(req.headers["content-type"] ?? "application/octet-stream")
          .split(";")[0]
          ?.trim() ?? "",
      content,
    };
    const attachment =
      m[1] === "drafts"
        ? await addDraftAttachment(runtime.deps.ctx, { ...file, conversationId: Number(m[2]) })
        : await addNewDraftAttachment(runtime.deps.ctx, { ...file, draftId: Number(m[2]) });
    reply(res, 201, { attachment });
  } catch (err) {
    if (isAppError(err, "NOT_FOUND"))
      return reply(res, 404, { code: "NOT_FOUND", ja: "見つかりません", en: err.message });
    if (isAppError(err, "FORBIDDEN"))
      return reply(res, 403, {
        code: "FORBIDDEN",
        ja: "この受信箱のメンバーではありません",
        en: err.message,
      });
    if (isAppError(err, "INVALID_INPUT"))
      return reply(res, 400, { code: "INVALID_INPUT", ja: err.message, en: err.message });
    throw err;
  }
}

/** The body, or null as soon as it passes the limit (the rest is not read). */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, body: object, close = false): void {
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    ...(close ? { Connection: "close" } : {}),
  });
  res.end(JSON.stringify(status >= 400 ? { error: body } : body));
}
