import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { mutationId, type Status, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { StatusOptions } from "../components/StatusOptions";
import { isMessageKey, useI18n } from "../i18n";
import { useLabels } from "../labels/useLabels";
import { showToast } from "../lib/toast";
import type { ListScope } from "./list-scope";

type BulkAction =
  | { kind: "status"; status: Status }
  | { kind: "assignee"; assigneeId: number | null }
  | { kind: "junk"; junk: boolean }
  | { kind: "read"; read: boolean }
  | { kind: "label"; labelId: number; add: boolean };

/**
 * 一括操作: what the conversations ticked in the list can have done to them at once: a status,
 * an assignee or a label (in one inbox, whose members and labels are known), 既読, 迷惑メール.
 * The result says how many changed and why any could not be; the selection ends either way.
 */
export function BulkBar(props: {
  scope: ListScope;
  /** The 迷惑メール tab is open: the junk action takes conversations back out of it. */
  junkTab: boolean;
  selected: number[];
  loaded: number[];
  onSelect: (ids: number[]) => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const { scope, selected } = props;
  const inboxId = scope.kind === "inbox" ? scope.inboxId : null;
  const members = useQuery({
    queryKey: keys.members(inboxId ?? 0),
    queryFn: () => trpc.inbox.members.query({ inboxId: inboxId ?? 0 }),
    enabled: inboxId !== null,
    staleTime: 5 * 60_000,
  });
  const labels = useLabels(inboxId);
  const run = useMutation({
    mutationFn: (action: BulkAction) =>
      trpc.conversation.bulk.mutate({ conversationIds: selected, action, clientMutationId: mutationId() }),
    onSuccess: ({ outcomes }) => {
      const failed = outcomes.filter((o) => o.error);
      const changed = outcomes.length - failed.length;
      const reason = failed[0]?.error;
      showToast(
        reason
          ? {
              kind: "error",
              text: t("bulk.partly", {
                changed,
                failed: failed.length,
                reason: isMessageKey(reason) ? t(reason) : t("error.internal"),
              }),
            }
          : { kind: "info", text: t("bulk.done", { changed }) },
      );
      props.onDone();
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.listAll });
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      for (const id of selected) void qc.invalidateQueries({ queryKey: keys.conversation(id) });
    },
  });
  const none = selected.length === 0 || run.isPending;
  const all = props.loaded.length > 0 && props.loaded.every((id) => selected.includes(id));
  return (
    <div className="bulk-bar" data-testid="bulk-bar">
      <label className="check">
        <input
          type="checkbox"
          checked={all}
          onChange={(e) => props.onSelect(e.target.checked ? props.loaded : [])}
          data-testid="bulk-all"
        />
        {t("bulk.all")}
      </label>
      <span className="muted" data-testid="bulk-count">
        {t("bulk.count", { count: selected.length })}
      </span>
      <select
        aria-label={t("bulk.status")}
        value=""
        disabled={none}
        onChange={(e) => e.target.value && run.mutate({ kind: "status", status: e.target.value as Status })}
        data-testid="bulk-status"
      >
        <option value="">{t("bulk.status")}…</option>
        <StatusOptions />
      </select>
      {inboxId !== null && (
        <select
          aria-label={t("bulk.assignee")}
          value=""
          disabled={none}
          onChange={(e) =>
            e.target.value &&
            run.mutate({
              kind: "assignee",
              assigneeId: e.target.value === "none" ? null : Number(e.target.value),
            })
          }
          data-testid="bulk-assignee"
        >
          <option value="">{t("bulk.assignee")}…</option>
          <option value="none">{t("conv.unassigned")}</option>
          {(members.data ?? []).map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name}
            </option>
          ))}
        </select>
      )}
      {(labels.data?.labels.length ?? 0) > 0 && (
        <select
          aria-label={t("bulk.label")}
          className="label-select"
          value=""
          disabled={none}
          onChange={(e) =>
            e.target.value && run.mutate({ kind: "label", labelId: Number(e.target.value), add: true })
          }
          data-testid="bulk-label"
        >
          <option value="">{t("bulk.label")}…</option>
          {labels.data?.labels.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      )}
      <button type="button" disabled={none} onClick={() => run.mutate({ kind: "read", read: true })}>
        {t("bulk.read")}
      </button>
      {inboxId !== null && (
        <button
          type="button"
          disabled={none}
          onClick={() => run.mutate({ kind: "junk", junk: !props.junkTab })}
          data-testid="bulk-junk"
        >
          {props.junkTab ? t("conv.junk.notJunk") : t("conv.junk.mark")}
        </button>
      )}
      <button type="button" className="link" onClick={props.onDone}>
        {t("bulk.cancel")}
      </button>
      {run.error && (
        <p className="form-error" role="alert">
          {t(errorKey(run.error))}
        </p>
      )}
    </div>
  );
}
