import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Me, mutationId, trpc, type ViewComment } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { Avatar } from "../components/Avatar";
import { useI18n } from "../i18n";
import { MentionInput } from "./MentionInput";

/** The conversation's internal chat: post, edit own, delete own, @mention with autocomplete. */
export function Chat(props: { me: Me; inboxId: number; conversationId: number; comments: ViewComment[] }) {
  const { t, dates } = useI18n();
  const qc = useQueryClient();
  const [text, setText] = useState("");
  const [editing, setEditing] = useState<{ id: number; body: string } | null>(null);
  const members = useQuery({
    queryKey: keys.members(props.inboxId),
    queryFn: () => trpc.inbox.members.query({ inboxId: props.inboxId }),
    staleTime: 5 * 60_000,
  });
  const candidates = members.data ?? [];
  const refresh = () => qc.invalidateQueries({ queryKey: keys.conversation(props.conversationId) });

  const post = useMutation({
    mutationFn: (body: string) =>
      trpc.comment.add.mutate({ conversationId: props.conversationId, body, clientMutationId: mutationId() }),
    onSuccess: () => {
      setText("");
      void refresh();
    },
  });
  const edit = useMutation({
    mutationFn: (v: { id: number; body: string }) =>
      trpc.comment.edit.mutate({
        conversationId: props.conversationId,
        commentId: v.id,
        body: v.body,
        clientMutationId: mutationId(),
      }),
    onSuccess: () => {
      setEditing(null);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: number) =>
      trpc.comment.delete.mutate({
        conversationId: props.conversationId,
        commentId: id,
        clientMutationId: mutationId(),
      }),
    onSuccess: () => void refresh(),
  });

  const submit = () => {
    if (text.trim() && !post.isPending) post.mutate(text.trim());
  };
  const error = post.error ?? edit.error ?? remove.error;

  return (
    <section className="chat" aria-label={t("conv.chat")} data-testid="chat">
      <h2 className="section-title">{t("chat.title")}</h2>
      {props.comments.length === 0 && <p className="muted">{t("chat.empty")}</p>}
      <ul className="comments">
        {props.comments.map((c) => (
          <li key={c.id} className="comment" data-testid="comment">
            <Avatar id={c.author.id} name={c.author.name} size={28} />
            <div className="comment-body">
              <div className="comment-head">
                <strong>{c.author.name}</strong>
                <time className="muted small" dateTime={c.createdAt}>
                  {dates.full(c.createdAt)}
                </time>
                {c.editedAt && !c.deleted && <span className="muted small">{t("chat.edited")}</span>}
              </div>
              {c.deleted ? (
                <p className="muted">{t("chat.deleted")}</p>
              ) : editing?.id === c.id ? (
                <div className="comment-edit">
                  <MentionInput
                    value={editing.body}
                    onChange={(body) => setEditing({ id: c.id, body })}
                    onSubmit={() => edit.mutate(editing)}
                    members={candidates}
                    placeholder={t("chat.placeholder")}
                    label={t("chat.edit")}
                  />
                  <button type="button" className="primary" onClick={() => edit.mutate(editing)}>
                    {t("chat.save")}
                  </button>
                  <button type="button" onClick={() => setEditing(null)}>
                    {t("chat.cancel")}
                  </button>
                </div>
              ) : (
                <p className="comment-text">{c.body}</p>
              )}
              {c.author.id === props.me.id && !c.deleted && editing?.id !== c.id && (
                <div className="comment-actions">
                  <button
                    type="button"
                    className="link"
                    onClick={() => setEditing({ id: c.id, body: c.body })}
                  >
                    {t("chat.edit")}
                  </button>
                  <button
                    type="button"
                    className="link danger"
                    onClick={() => {
                      if (window.confirm(t("chat.deleteConfirm"))) remove.mutate(c.id);
                    }}
                  >
                    {t("chat.delete")}
                  </button>
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
      {error && (
        <p className="form-error" role="alert">
          {t(errorKey(error))}
        </p>
      )}
      <div className="chat-compose">
        <MentionInput
          value={text}
          onChange={setText}
          onSubmit={submit}
          members={candidates}
          placeholder={t("chat.placeholder")}
          label={t("chat.placeholder")}
        />
        <button type="button" className="primary" onClick={submit} disabled={!text.trim() || post.isPending}>
          {t("chat.post")}
        </button>
      </div>
    </section>
  );
}
