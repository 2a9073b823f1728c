import { CSRF_HEADER } from "../api/constants";

export interface DraftAttachment {
  id: number;
  filename: string;
  contentType: string;
  size: number;
}

/** Where a reply's files go (the user's draft on the conversation). */
export const replyDraftUploadUrl = (conversationId: number) => `/api/drafts/${conversationId}/attachments`;
/** Where a new message's files go (its draft, by id). */
export const newDraftUploadUrl = (draftId: number) => `/api/new-drafts/${draftId}/attachments`;

/** Uploads one file to a draft's upload URL; rejects with the server's words. */
export async function uploadDraftFile(url: string, file: File, lang: "ja" | "en"): Promise<DraftAttachment> {
  const res = await fetch(`${url}?filename=${encodeURIComponent(file.name)}`, {
    method: "POST",
    headers: { [CSRF_HEADER]: "1", "content-type": file.type || "application/octet-stream" },
    body: file,
    credentials: "same-origin",
  });
  const body = (await res.json().catch(() => ({}))) as {
    attachment?: DraftAttachment;
    error?: { ja: string; en: string };
  };
  if (!res.ok || !body.attachment) throw new Error(body.error?.[lang] ?? `HTTP ${res.status}`);
  return body.attachment;
}

/** 1.2 MB, 340 KB, 12 B. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
