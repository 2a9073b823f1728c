import { useRef } from "react";
import { useI18n } from "../i18n";
import { formatSize } from "./upload";
import type { DraftAttachments } from "./useDraftAttachments";

/**
 * The draft's uploaded files: a picker, the list with a remove button each, and the upload
 * state. Drops on the whole form come in through `dropTarget` (see useDraftAttachments).
 */
export function AttachmentField(props: { attachments: DraftAttachments }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const { files, uploader, remove } = props.attachments;
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
          void uploader.addFiles([...(e.target.files ?? [])]);
          e.target.value = "";
        }}
      />
      {files.length > 0 && (
        <ul className="attachment-chips" aria-label={t("compose.attachments")}>
          {files.map((a) => (
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
      {uploader.uploading.map((name) => (
        <p key={name} className="muted small" role="status">
          {t("compose.uploading", { name })}
        </p>
      ))}
      {uploader.errors.map((e) => (
        <p key={e} className="form-error" role="alert" data-testid="upload-error">
          {e}
        </p>
      ))}
    </div>
  );
}
