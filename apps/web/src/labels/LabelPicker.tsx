import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { type Label, type LabelRef, mutationId, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys, refreshConversation } from "../api/keys";
import { useI18n } from "../i18n";
import { LabelChip } from "./LabelChip";
import { LabelEditForm } from "./LabelEditForm";
import { LabelSwatches } from "./LabelSwatches";
import { showConversationLabels, useLabels } from "./useLabels";

/**
 * The ラベル popover of a conversation: its inbox's labels with a tick each (applied at once),
 * a name (which also narrows the list) and colour to create one, put on the conversation
 * straight away, 編集 to rename or recolour one in place, and × to delete one from the inbox.
 */
export function LabelPicker(props: { conversationId: number; inboxId: number; current: LabelRef[] }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const { conversationId, inboxId } = props;
  const labels = useLabels(inboxId);
  const [name, setName] = useState("");
  const [color, setColor] = useState<Label["color"] | null>(null);
  // The last failure of any of the three actions, cleared when another starts.
  const [error, setError] = useState<unknown>(null);
  const reporting = { onMutate: () => setError(null), onError: setError };
  // The tick as clicked, until the server answers (a controlled checkbox would otherwise spring
  // back until the mutation's state arrives).
  const [ticking, setTicking] = useState<{ labelId: number; add: boolean } | null>(null);
  const refresh = () => refreshConversation(qc, { conversationId, inboxId });
  // The label whose row is an edit form; closed, the focus goes back to its 編集 button.
  const [editing, setEditing] = useState<number | null>(null);
  const [refocus, setRefocus] = useState<number | null>(null);
  const editButtons = useRef(new Map<number, HTMLButtonElement>());
  useEffect(() => {
    if (refocus === null) return;
    editButtons.current.get(refocus)?.focus();
    setRefocus(null);
  }, [refocus]);
  const closeEdit = (labelId: number) => {
    setEditing(null);
    setRefocus(labelId);
  };

  const toggle = useMutation({
    mutationFn: (v: { labelId: number; add: boolean }) =>
      trpc.conversation.setLabels.mutate({
        conversationId,
        add: v.add ? [v.labelId] : [],
        remove: v.add ? [] : [v.labelId],
        clientMutationId: mutationId(),
      }),
    ...reporting,
    onSuccess: (r) => showConversationLabels(qc, conversationId, r.labels),
    onSettled: () => {
      setTicking(null);
      refresh();
    },
  });
  const create = useMutation({
    mutationFn: async (input: { name: string; color?: Label["color"] }) => {
      const label = await trpc.label.create.mutate({ inboxId, ...input });
      return trpc.conversation.setLabels.mutate({
        conversationId,
        add: [label.id],
        clientMutationId: mutationId(),
      });
    },
    ...reporting,
    onSuccess: (r) => {
      setName("");
      setColor(null);
      showConversationLabels(qc, conversationId, r.labels);
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.labels(inboxId) });
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (labelId: number) => trpc.label.delete.mutate({ labelId }),
    ...reporting,
    // It leaves every conversation that had it (each logs that, for the team's other screens): this
    // screen's lists and views refetch at once.
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.labels(inboxId) });
      void qc.invalidateQueries({ queryKey: keys.listAll });
      void qc.invalidateQueries({ queryKey: keys.conversationAll });
    },
  });

  const busy = ticking !== null || toggle.isPending || create.isPending || remove.isPending;
  const has = new Set(props.current.map((l) => l.id));
  const ticked = (id: number) => (ticking?.labelId === id ? ticking.add : has.has(id));
  const all = labels.data?.labels ?? [];
  const wanted = name.trim().toLowerCase();
  const colors = labels.data?.colors ?? [];
  // A new label takes the first colour unless another is chosen.
  const chosen = color ?? colors[0];
  const shown = wanted ? all.filter((l) => l.name.toLowerCase().includes(wanted)) : all;
  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    if (wanted) create.mutate({ name: name.trim(), ...(color ? { color } : {}) });
  };

  return (
    <div className="label-picker" data-testid="label-picker">
      {labels.isSuccess && all.length === 0 && <p className="muted small">{t("labels.none")}</p>}
      {shown.length > 0 && (
        <ul className="label-options">
          {shown.map((l) => (
            <li key={l.id} className="label-option" data-testid="label-option" data-label-id={l.id}>
              {editing === l.id ? (
                <LabelEditForm label={l} colors={colors} onClose={() => closeEdit(l.id)} />
              ) : (
                <>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={ticked(l.id)}
                      disabled={busy}
                      onChange={(e) => {
                        const change = { labelId: l.id, add: e.target.checked };
                        setTicking(change);
                        toggle.mutate(change);
                      }}
                    />
                    <LabelChip label={l} />
                  </label>
                  <button
                    type="button"
                    className="link label-edit-button"
                    aria-label={t("labels.edit", { name: l.name })}
                    title={t("labels.edit", { name: l.name })}
                    disabled={busy}
                    ref={(el) => {
                      if (el) editButtons.current.set(l.id, el);
                      else editButtons.current.delete(l.id);
                    }}
                    onClick={() => {
                      setError(null);
                      setEditing(l.id);
                    }}
                    data-testid="label-edit"
                  >
                    {t("labels.editButton")}
                  </button>
                  <button
                    type="button"
                    className="link label-delete"
                    aria-label={t("labels.delete", { name: l.name })}
                    title={t("labels.delete", { name: l.name })}
                    disabled={busy}
                    onClick={() => {
                      if (window.confirm(t("labels.deleteConfirm", { name: l.name }))) remove.mutate(l.id);
                    }}
                    data-testid="label-delete"
                  >
                    ×
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="label-new" onSubmit={onCreate}>
        <input
          type="text"
          value={name}
          maxLength={40}
          placeholder={t("labels.newName")}
          aria-label={t("labels.newName")}
          onChange={(e) => setName(e.target.value)}
          data-testid="label-new-name"
        />
        <button type="submit" className="primary" disabled={busy || !wanted} data-testid="label-create">
          {t("labels.create")}
        </button>
      </form>
      <LabelSwatches colors={colors} chosen={chosen} onChoose={setColor} testIdPrefix="label-color" />
      {error !== null && (
        <p className="form-error" role="alert" data-testid="label-error">
          {t(errorKey(error))}
        </p>
      )}
    </div>
  );
}
