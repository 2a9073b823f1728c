import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ConversationDetail, type Me, mutationId, type Status, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys, refreshConversation } from "../api/keys";
import { StatusOptions } from "../components/StatusOptions";
import { useI18n } from "../i18n";
import { SnoozeControl } from "./SnoozeControl";

/** Status, assignee and スヌーズ: changes show for teammates through realtime within a second. */
export function ConversationControls(props: { me: Me; detail: ConversationDetail }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const c = props.detail.conversation;
  const members = useQuery({
    queryKey: keys.members(c.inboxId),
    queryFn: () => trpc.inbox.members.query({ inboxId: c.inboxId }),
    staleTime: 5 * 60_000,
  });
  const refresh = () => refreshConversation(qc, { conversationId: c.id, inboxId: c.inboxId });
  const status = useMutation({
    mutationFn: (s: Status) =>
      trpc.conversation.setStatus.mutate({ conversationId: c.id, status: s, clientMutationId: mutationId() }),
    onSettled: refresh,
  });
  const assign = useMutation({
    mutationFn: (assigneeId: number | null) =>
      trpc.conversation.assign.mutate({ conversationId: c.id, assigneeId, clientMutationId: mutationId() }),
    onSettled: refresh,
  });
  const list = members.data ?? [];
  const assigneeKnown = c.assignee === null || list.some((m) => m.userId === c.assignee?.id);
  const error = status.error ?? assign.error;
  return (
    <div className="controls">
      <label>
        <span className="muted small">{t("conv.status")}</span>
        <select
          value={status.isPending ? (status.variables ?? c.status) : c.status}
          onChange={(e) => status.mutate(e.target.value as Status)}
          data-testid="status-select"
          className={`status-select status-${c.status}`}
        >
          <StatusOptions />
        </select>
      </label>
      <label>
        <span className="muted small">{t("conv.assignee")}</span>
        <select
          value={c.assignee?.id ?? ""}
          onChange={(e) => assign.mutate(e.target.value ? Number(e.target.value) : null)}
          data-testid="assignee-select"
        >
          <option value="">{t("conv.unassigned")}</option>
          {!assigneeKnown && c.assignee && <option value={c.assignee.id}>{c.assignee.name}</option>}
          {list.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name}
              {m.userId === props.me.id ? " ✓" : ""}
            </option>
          ))}
        </select>
      </label>
      {c.assignee?.id !== props.me.id && (
        <button type="button" className="link" onClick={() => assign.mutate(props.me.id)}>
          {t("conv.assignMe")}
        </button>
      )}
      <SnoozeControl detail={props.detail} />
      {error && (
        <p className="form-error" role="alert">
          {t(errorKey(error))}
        </p>
      )}
    </div>
  );
}
