import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { type Label, type Outputs, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";
import { LabelSwatches } from "./LabelSwatches";

type LabelList = Outputs["label"]["list"];

/**
 * A label's row in the picker turned into a form: its name and colour, 保存 and キャンセル (or
 * Escape, which leaves the picker open). Saved, the picker, the conversation's chips and the lists
 * show the change at once; teammates learn it from the inbox's change log (labels_changed).
 */
export function LabelEditForm(props: {
  label: Pick<Label, "id" | "inboxId" | "name" | "color">;
  colors: Label["color"][];
  onClose: () => void;
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const { label, onClose } = props;
  const [name, setName] = useState(label.name);
  const [color, setColor] = useState(label.color);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const update = useMutation({
    mutationFn: (v: { name: string; color: Label["color"] }) =>
      trpc.label.update.mutate({ labelId: label.id, ...v }),
    onSuccess: (saved) => {
      // The picker and every chip drawn from the inbox's labels change now; the rest refetches.
      qc.setQueryData<LabelList>(keys.labels(label.inboxId), (old) =>
        old ? { ...old, labels: old.labels.map((l) => (l.id === saved.id ? saved : l)) } : old,
      );
      onClose();
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.labels(label.inboxId) });
      void qc.invalidateQueries({ queryKey: keys.listAll });
      void qc.invalidateQueries({ queryKey: keys.conversationAll });
    },
  });

  const trimmed = name.trim();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!trimmed || update.isPending) return;
    if (trimmed === label.name && color === label.color) onClose();
    else update.mutate({ name: trimmed, color });
  };
  // Escape cancels the edit only: the picker around it (closed by Escape on the page) stays.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    e.stopPropagation();
    onClose();
  };

  return (
    <form
      className="label-edit"
      aria-label={t("labels.editTitle", { name: label.name })}
      onSubmit={onSubmit}
      onKeyDown={onKeyDown}
      data-testid="label-edit-form"
    >
      <input
        ref={input}
        type="text"
        value={name}
        maxLength={40}
        aria-label={t("labels.editName")}
        onChange={(e) => setName(e.target.value)}
        data-testid="label-edit-name"
      />
      <LabelSwatches
        colors={props.colors}
        chosen={color}
        onChoose={setColor}
        testIdPrefix="label-edit-color"
      />
      {update.isError && (
        <p className="form-error" role="alert" data-testid="label-edit-error">
          {t(errorKey(update.error))}
        </p>
      )}
      <div className="label-edit-actions">
        <button type="button" className="small" onClick={onClose} data-testid="label-edit-cancel">
          {t("labels.cancel")}
        </button>
        <button
          type="submit"
          className="small primary"
          disabled={!trimmed || update.isPending}
          data-testid="label-edit-save"
        >
          {t("labels.save")}
        </button>
      </div>
    </form>
  );
}
