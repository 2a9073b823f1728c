import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { type Me, trpc } from "../api/client";
import { isScheduled } from "../api/constants";
import { errorData } from "../api/errors";
import { keys } from "../api/keys";
import { Chat } from "../chat/Chat";
import { ErrorBox } from "../components/ErrorBox";
import { type ComposeMode, Composer } from "../compose/Composer";
import { outbox } from "../compose/outbox";
import { useI18n } from "../i18n";
import { LabelControl } from "../labels/LabelControl";
import { hrefInbox } from "../lib/route";
import { useStore } from "../lib/store";
import { useConversationPresence, useRealtime } from "../realtime/context";
import { ActivityList } from "./ActivityList";
import { ConversationControls } from "./ConversationControls";
import { JunkControl } from "./JunkControl";
import { MarkUnreadButton } from "./MarkUnreadButton";
import { MessageItem } from "./MessageItem";
import { SnoozeBar } from "./SnoozeBar";

/** One conversation: its mail in order, controls, reply with duplicate-reply protection, chat, activity. */
export function ConversationView(props: {
  me: Me;
  inboxId: number;
  conversationId: number;
  query: URLSearchParams;
}) {
  const { t, dates } = useI18n();
  const qc = useQueryClient();
  const rt = useRealtime();
  const { conversationId, inboxId } = props;
  const [allowRemote, setAllowRemote] = useState(false);
  const pending = useStore(outbox).find((p) => p.conversationId === conversationId);
  const [compose, setCompose] = useState<ComposeMode | null>(pending ? "reply" : null);
  /** The message a forward is of; null: the last one. */
  const [forwardOf, setForwardOf] = useState<number | null>(null);
  const [warnReplying, setWarnReplying] = useState<{ name: string; mode: ComposeMode } | null>(null);

  const q = useQuery({
    queryKey: keys.conversation(conversationId, allowRemote),
    queryFn: () => trpc.conversation.get.query({ conversationId, allowRemote }),
    // "Show images" refetches with allowRemote: keep showing (and composing) meanwhile.
    placeholderData: (previous) => previous,
  });
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  const inbox = inboxes.data?.inboxes.find((i) => i.id === inboxId);
  const presence = useConversationPresence(inboxId, conversationId, props.me.id);

  // Viewing, or replying while the composer is open: teammates see it in the list and here.
  useEffect(() => {
    rt?.setPresence(conversationId, compose ? "replying" : "viewing");
  }, [rt, conversationId, compose]);
  useEffect(() => () => rt?.setPresence(conversationId, null), [rt, conversationId]);

  const markRead = useMutation({
    mutationFn: (seq: number) => trpc.conversation.markRead.mutate({ conversationId, seq }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.list(inboxId) });
      void qc.invalidateQueries({ queryKey: keys.inboxes });
    },
  });
  const unreadSeq = q.data?.unread ? q.data.conversation.lastSeq : null;
  const mark = markRead.mutate;
  useEffect(() => {
    if (unreadSeq !== null) mark(unreadSeq);
  }, [unreadSeq, mark]);

  // A send of mine still held (送信予約, or a reload inside the undo window): the composer opens
  // on its bar, where it can be taken back.
  const mineHeld = q.data?.scheduled.some((s) => s.author.id === props.me.id) ?? false;
  useEffect(() => {
    if (mineHeld) setCompose((c) => c ?? "reply");
  }, [mineHeld]);

  const [takeOver, setTakeOver] = useState(false);
  const closeComposer = useCallback(() => {
    setCompose(null);
    setTakeOver(false);
  }, []);

  if (q.isPending) return <section className="conversation muted pad">{t("app.loading")}</section>;
  if (q.isError) {
    const notFound = errorData(q.error)?.messageKey === "error.notFound";
    return (
      <section className="conversation">
        <a className="back" href={hrefInbox(inboxId, props.query)}>
          ← {t("conv.back")}
        </a>
        {notFound ? (
          <p className="pad">{t("conv.notFound")}</p>
        ) : (
          <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
        )}
      </section>
    );
  }
  const d = q.data;
  const c = d.conversation;
  const claimOther = c.replyClaim && c.replyClaim.id !== props.me.id ? c.replyClaim.name : null;
  const replyingName =
    presence.replying && presence.replying.userId !== props.me.id ? presence.replying.userName : claimOther;

  const startReply = (mode: ComposeMode) => {
    if (replyingName) setWarnReplying({ name: replyingName, mode });
    else setCompose(mode);
  };

  return (
    <section className="conversation" aria-label={c.subject} data-testid="conversation">
      <div className="conv-head">
        <a className="back" href={hrefInbox(inboxId, props.query)}>
          ← {t("conv.back")}
        </a>
        <h1 className="conv-subject">{c.subject || t("list.noSubject")}</h1>
        <LabelControl key={c.id} detail={d} />
        <ConversationControls me={props.me} detail={d} />
        <SnoozeBar detail={d} />
        <MarkUnreadButton conversationId={conversationId} backHref={hrefInbox(inboxId, props.query)} />
        <JunkControl detail={d} backHref={hrefInbox(inboxId, props.query)} />
        {(replyingName || presence.viewers.length > 0) && (
          <p className="presence-line" data-testid="conv-presence">
            {replyingName && <span className="replying">{t("conv.replying", { name: replyingName })}</span>}
            {presence.viewers.length > 0 && (
              <span className="muted">{t("conv.viewing", { names: presence.viewers.join("、") })}</span>
            )}
          </p>
        )}
      </div>
      {d.scheduled
        .filter((s) => s.author.id !== props.me.id && isScheduled(s.releaseAt))
        .map((s) => (
          <p className="banner info" key={s.outboundId} data-testid="scheduled-line">
            {t("conv.scheduled", { name: s.author.name, time: dates.full(s.releaseAt) })}
          </p>
        ))}
      <div className="messages">
        {d.messages.map((m) => (
          <MessageItem
            key={m.id}
            message={m}
            allowRemote={allowRemote}
            onShowImages={() => setAllowRemote(true)}
            sendsAt={d.scheduled.find((s) => s.messageIds.includes(m.id))?.releaseAt}
            onForward={
              d.messages.length > 1 && !compose
                ? () => {
                    setForwardOf(m.id);
                    setCompose("forward");
                  }
                : undefined
            }
          />
        ))}
      </div>
      {compose ? (
        <Composer
          me={props.me}
          inbox={inbox}
          detail={d}
          mode={compose}
          forwardMessageId={forwardOf ?? undefined}
          onClose={closeComposer}
          takeOver={takeOver}
        />
      ) : (
        <div className="reply-actions">
          <button
            type="button"
            className="primary"
            onClick={() => startReply("reply")}
            data-testid="reply-button"
          >
            {t("conv.reply")}
          </button>
          <button type="button" onClick={() => startReply("replyAll")}>
            {t("conv.replyAll")}
          </button>
          <button
            type="button"
            onClick={() => {
              setForwardOf(null);
              setCompose("forward");
            }}
            data-testid="forward-button"
          >
            {t("conv.forward")}
          </button>
        </div>
      )}
      {warnReplying && (
        <div className="dialog-backdrop">
          <div
            className="dialog"
            role="alertdialog"
            aria-labelledby="warn-title"
            data-testid="replying-warning"
          >
            <h2 id="warn-title">{t("conv.replyWarningTitle", { name: warnReplying.name })}</h2>
            <p>{t("conv.replyWarningBody", { name: warnReplying.name })}</p>
            <div className="dialog-actions">
              <button type="button" onClick={() => setWarnReplying(null)}>
                {t("conv.cancel")}
              </button>
              <button
                type="button"
                className="warn-button"
                data-testid="take-over"
                onClick={() => {
                  setTakeOver(true);
                  setCompose(warnReplying.mode);
                  setWarnReplying(null);
                }}
              >
                {t("conv.takeOver")}
              </button>
            </div>
          </div>
        </div>
      )}
      <Chat me={props.me} inboxId={inboxId} conversationId={conversationId} comments={d.comments} />
      <details className="activity-box" open>
        <summary>{t("conv.activity")}</summary>
        <ActivityList activity={d.activity} />
      </details>
    </section>
  );
}
