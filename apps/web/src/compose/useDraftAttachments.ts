import { type DragEvent, useState } from "react";
import { useI18n } from "../i18n";
import { type DraftAttachment, uploadDraftFile } from "./upload";

/**
 * A draft's files as a compose form holds them: the list (starting from what the saved draft
 * has), the uploader that adds to it, removal, and the drop target for the whole form.
 * `uploadUrl` gives the draft's upload URL (a new message saves its draft first);
 * `removeFromServer` takes one file off the draft before it leaves the list.
 */
export function useDraftAttachments(args: {
  initial: DraftAttachment[];
  uploadUrl: () => Promise<string>;
  removeFromServer: (a: DraftAttachment) => Promise<void>;
}) {
  const [files, setFiles] = useState(args.initial);
  const uploader = useUploader(args.uploadUrl, (a) => setFiles((f) => [...f, a]));
  const remove = async (a: DraftAttachment) => {
    await args.removeFromServer(a);
    setFiles((f) => f.filter((x) => x.id !== a.id));
  };
  /** Files dropped anywhere on the form are uploaded, unless a send is under way. */
  const dropTarget = (disabled: boolean) => ({
    onDragOver: (e: DragEvent) => {
      if (e.dataTransfer.types.includes("Files")) e.preventDefault();
    },
    onDrop: (e: DragEvent) => {
      if (!e.dataTransfer.files.length || disabled) return;
      e.preventDefault();
      void uploader.addFiles([...e.dataTransfer.files]);
    },
  });
  return { files, uploader, remove, dropTarget };
}

export type DraftAttachments = ReturnType<typeof useDraftAttachments>;

/** Uploads files one by one, in the order given, and reports each failure in plain words. */
function useUploader(urlFor: () => Promise<string>, onAdded: (a: DraftAttachment) => void) {
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
