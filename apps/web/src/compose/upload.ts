import { CSRF_HEADER } from "../api/constants";

export interface DraftAttachment {
  id: number;
  filename: string;
  contentType: string;
  size: number;
}

/** Uploads one file into the user's draft on the conversation; rejects with the server's words. */
export async function uploadDraftFile(
  conversationId: number,
  file: File,
  lang: "ja" | "en",
): Promise<DraftAttachment> {
  const res = await fetch(
    `/api/drafts/${conversationId}/attachments?filename=${encodeURIComponent(file.name)}`,
    {
      method: "POST",
      headers: { [CSRF_HEADER]: "1", "content-type": file.type || "application/octet-stream" },
      body: file,
      credentials: "same-origin",
    },
  );
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
