import { useRef, useState } from "react";
import { useI18n } from "../i18n";
import { type DraftAttachment, formatSize, uploadDraftFile } from "./upload";

/**
 * The draft's uploaded files: a picker, the list with a remove button each, and the upload
 * state. Drops on the whole composer come in through `addFiles` (see useFileDrop).
 */
export function AttachmentField(props: {
  files: DraftAttachment[];
  /** Takes the file off the draft on the server; the caller updates its list. */
  onRemove: (a: DraftAttachment) => Promise<void>;
  uploader: ReturnType<typeof useUploader>;
}) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const remove = (a: DraftAttachment) => props.onRemove(a);
  return (
    <div className="compose-attachments" data-testid="compose-attachments">
      <button type="button" onClick={() => input.current?.click()}>
        📎 {t("compose.attach")}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="compose-file"
        onChange={(e) => {
          void props.uploader.addFiles([...(e.target.files ?? [])]);
          e.target.value = "";
        }}
      />
      {props.files.length > 0 && (
        <ul className="attachment-chips" aria-label={t("compose.attachments")}>
          {props.files.map((a) => (
            <li key={a.id} data-testid="compose-attachment">
              <span>{a.filename}</span> <span className="muted small">{formatSize(a.size)}</span>
              <button
                type="button"
                className="link"
                aria-label={t("compose.removeAttachment", { name: a.filename })}
                onClick={() => void remove(a)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.uploader.uploading.map((name) => (
        <p key={name} className="muted small" role="status">
          {t("compose.uploading", { name })}
        </p>
      ))}
      {props.uploader.errors.map((e) => (
        <p key={e} className="form-error" role="alert" data-testid="upload-error">
          {e}
        </p>
      ))}
    </div>
  );
}

/**
 * Uploads files one by one, in the order given, and reports each failure in plain words.
 * `urlFor` gives the draft's upload URL (a new message saves its draft first).
 */
export function useUploader(urlFor: () => Promise<string>, onAdded: (a: DraftAttachment) => void) {
  const { t, lang } = useI18n();
  const [uploading, setUploading] = useState<string[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const addFiles = async (files: File[]) => {
    setErrors([]);
    for (const file of files) {
      setUploading((u) => [...u, file.name]);
      try {
        onAdded(await uploadDraftFile(await urlFor(), file, lang === "en" ? "en" : "ja"));
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        setErrors((e) => [...e, t("compose.uploadFailed", { name: file.name, error })]);
      } finally {
        setUploading((u) => u.filter((n) => n !== file.name));
      }
    }
  };
  return { uploading, errors, addFiles };
}
