import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { type ConversationDetail, type InboxItem, type Me, STATUSES, type Status, trpc } from "../api/client";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";
import { markdownToHtml } from "../lib/markdown";
import { internalDomainsOf, quoteOriginal, replyFields } from "../lib/reply-fields";
import { useStore } from "../lib/store";
import { showToast } from "../lib/toast";
import { AttachmentField, useUploader } from "./AttachmentField";
import { listPieces, listText } from "./address-list";
import { ConflictPanel } from "./ConflictPanel";
import { adoptHeld, cancelSend, forget, isBusy, outbox, queueSend } from "./outbox";
import { SendConfirm } from "./SendConfirm";
import { type ComposeFields, checkBeforeSend, type SendCheck } from "./send-checks";
import { TemplatePicker } from "./TemplatePicker";
import { UndoBar } from "./UndoBar";
import { type DraftAttachment, replyDraftUploadUrl } from "./upload";
import { useDraftAutosave } from "./useDraftAutosave";
import { useReplyClaim } from "./useReplyClaim";

export type ComposeMode = "reply" | "replyAll" | "forward";

type ForwardChoice = { messageId: number; withAttachments: boolean };

/** Loads the saved draft first, so a reload restores what was typed (and the seq it was based on). */
export function Composer(props: {
  me: Me;
  inbox: InboxItem | undefined;
  detail: ConversationDetail;
  mode: ComposeMode;
  onClose: () => void;
  /** The user chose to take the reply over from a teammate who holds the claim. */
  takeOver?: boolean;
}) {
  const { t } = useI18n();
  const lastMessageId = props.detail.messages.at(-1)?.id ?? 0;
  const drafts = useQuery({
    queryKey: keys.drafts(props.detail.conversation.id),
    queryFn: () => trpc.draft.get.query({ conversationId: props.detail.conversation.id }),
    staleTime: 0,
    refetchOnWindowFocus: false,
  });
  // Only from a fresh answer, and only while the window lasts: a cached list from before the
  // window ended would otherwise show an undo bar that at once reports "sent" and closes.
  const held = drafts.isFetching
    ? undefined
    : drafts.data?.held.find((h) => Date.parse(h.releaseAt) > Date.now());
  useEffect(() => {
    // A send of ours still in its undo window (reload, other tab): offer the undo again.
    if (held)
      adoptHeld({
        inboxId: props.detail.conversation.inboxId,
        conversationId: props.detail.conversation.id,
        outboundId: held.outboundId,
        releaseAt: held.releaseAt,
      });
  }, [held, props.detail.conversation.inboxId, props.detail.conversation.id]);
  // A saved draft decides what is being written (as for reply/reply all); else the button.
  const saved = drafts.data?.editing ?? null;
  const forward: ForwardChoice | null = saved
    ? (saved.content.forward ?? null)
    : props.mode === "forward"
      ? { messageId: lastMessageId, withAttachments: true }
      : null;
  const start = useQuery({
    queryKey: ["compose.forwardStart", forward?.messageId ?? 0],
    queryFn: () => trpc.compose.forwardStart.query({ messageId: forward?.messageId ?? 0 }),
    enabled: forward !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (drafts.isPending || (forward && start.isPending))
    return <section className="composer muted pad">{t("app.loading")}</section>;
  return (
    <ComposerForm
      {...props}
      saved={saved}
      files={drafts.data?.attachments ?? []}
      forward={forward && start.data ? { choice: forward, start: start.data } : null}
    />
  );
}

type ForwardStart = Awaited<ReturnType<typeof trpc.compose.forwardStart.query>>;

type Saved = NonNullable<Awaited<ReturnType<typeof trpc.draft.get.query>>["editing"]>;

function initialFields(
  props: { me: Me; inbox: InboxItem | undefined; detail: ConversationDetail; mode: ComposeMode },
  attribution: string,
  forward: ForwardStart | null,
) {
  const { detail } = props;
  const signature = props.inbox?.settings.signature ?? "";
  if (forward)
    return {
      to: "",
      cc: "",
      bcc: "",
      subject: forward.subject,
      body: ["", signature ? `\n${signature}` : "", `\n${forward.quote}`].join("\n"),
    };
  const own = [props.inbox?.address ?? "", props.me.email];
  const f = replyFields(
    detail.messages,
    detail.conversation.customer,
    own,
    props.mode === "replyAll" ? "replyAll" : "reply",
  );
  const last =
    [...detail.messages].reverse().find((m) => m.direction === "inbound") ?? detail.messages.at(-1);
  const quote = last
    ? quoteOriginal(last.text, attribution.replace("{from}", last.from.name || last.from.address || ""))
    : "";
  const body = ["", signature ? `\n${signature}` : "", quote ? `\n${quote}` : ""].join("\n");
  return { to: f.to, cc: f.cc, bcc: "", subject: f.subject, body };
}

function ComposerForm(props: {
  me: Me;
  inbox: InboxItem | undefined;
  detail: ConversationDetail;
  mode: ComposeMode;
  saved: Saved | null;
  files: DraftAttachment[];
  forward: { choice: ForwardChoice; start: ForwardStart } | null;
  onClose: () => void;
  takeOver?: boolean;
}) {
  const { t, lang, dates } = useI18n();
  const qc = useQueryClient();
  const conversationId = props.detail.conversation.id;
  const inboxId = props.detail.conversation.inboxId;
  const attribution = lang === "ja" ? "{from} さんは書きました:" : "{from} wrote:";
  const [fields, setFields] = useState<ComposeFields>(() =>
    props.saved
      ? {
          to: listText(props.saved.content.to),
          cc: listText(props.saved.content.cc),
          bcc: listText(props.saved.content.bcc),
          subject: props.saved.content.subject ?? "",
          body: props.saved.content.bodyText ?? "",
        }
      : initialFields(props, attribution, props.forward?.start ?? null),
  );
  const [forward, setForward] = useState(props.forward?.choice ?? null);
  const originals = props.forward?.start.attachments ?? [];
  const [files, setFiles] = useState(props.files);
  const uploader = useUploader(
    async () => replyDraftUploadUrl(conversationId),
    (a) => setFiles((f) => [...f, a]),
  );
  const attachmentCount = files.length + (forward?.withAttachments ? originals.length : 0);
  const [format, setFormat] = useState<"plain" | "markdown">(
    props.saved?.content.format ?? (props.saved?.content.bodyHtml ? "markdown" : "plain"),
  );
  const [showCc, setShowCc] = useState(fields.cc !== "" || fields.bcc !== "");
  // What the author has seen: fixed when the reply starts (or restored with the draft), never
  // advanced silently by realtime refreshes; the send-time guard compares against it.
  const [basedOnSeq, setBasedOnSeq] = useState(props.saved?.basedOnSeq ?? props.detail.conversation.lastSeq);
  const [statusAfter, setStatusAfter] = useState<Status>(props.inbox?.settings.statusOnReply ?? "done");
  const [check, setCheck] = useState<Extract<SendCheck, { ok: true }> | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const claim = useReplyClaim(conversationId, props.takeOver ?? false);
  const pending = useStore(outbox).find((p) => p.conversationId === conversationId);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const refusedDraftId = useRef<number | null>(null);

  const busy = isBusy(pending);
  const content = useMemo(
    () => ({
      subject: fields.subject,
      to: listPieces(fields.to),
      cc: listPieces(fields.cc),
      bcc: listPieces(fields.bcc),
      bodyText: fields.body,
      format,
      ...(format === "markdown" ? { bodyHtml: markdownToHtml(fields.body) } : {}),
      ...(forward ? { forward } : {}),
    }),
    [fields, format, forward],
  );
  const save = useDraftAutosave({
    conversationId,
    basedOnSeq,
    content,
    enabled: true,
    paused: busy || pending?.state === "sent",
  });

  useEffect(() => {
    if (props.saved) showToast({ kind: "info", text: t("compose.restored") }, 4000);
    requestAnimationFrame(() => {
      bodyRef.current?.focus();
      bodyRef.current?.setSelectionRange(0, 0);
    });
  }, [props.saved, t]);

  const onClose = props.onClose;
  useEffect(() => {
    if (pending?.state === "sent") {
      // Sent anyway: the copy the guard kept when it refused is no longer needed.
      const refused = refusedDraftId.current;
      if (refused !== null)
        void trpc.draft.discard.mutate({ conversationId, draftId: refused }).catch(() => {});
      showToast({ kind: "info", text: t("undo.sent") }, 4000);
      forget(conversationId);
      onClose();
    }
  }, [pending?.state, conversationId, onClose, t]);

  const internal = internalDomainsOf([props.inbox?.address ?? "", props.me.email]);
  const set = (patch: Partial<ComposeFields>) => setFields((f) => ({ ...f, ...patch }));

  const startSend = () => {
    const c = checkBeforeSend(fields, { internalDomains: internal, attachmentCount });
    if (!c.ok) {
      setFormError(
        c.problem === "noRecipients"
          ? t("compose.noRecipients")
          : t("compose.invalidRecipients", { list: c.invalid.join(", ") }),
      );
      return;
    }
    setFormError(null);
    setCheck(c);
  };

  const send = (c: Extract<SendCheck, { ok: true }>, override: boolean) => {
    setCheck(null);
    void queueSend(qc, {
      inboxId,
      input: {
        conversationId,
        basedOnSeq,
        to: c.to,
        cc: c.cc,
        bcc: c.bcc,
        subject: fields.subject,
        bodyText: fields.body,
        ...(format === "markdown" ? { bodyHtml: markdownToHtml(fields.body) } : {}),
        override,
        statusAfter,
        ...(forward ? { forward } : {}),
      },
    });
  };

  const discard = async (draftId?: number) => {
    if (!window.confirm(t("compose.discardConfirm"))) return;
    await trpc.draft.discard.mutate({ conversationId }).catch(() => {});
    if (draftId) await trpc.draft.discard.mutate({ conversationId, draftId }).catch(() => {});
    void qc.invalidateQueries({ queryKey: keys.drafts(conversationId) });
    forget(conversationId);
    props.onClose();
  };

  const othersReplying = claim && !claim.held ? claim.holder.name : null;

  return (
    <section
      className="composer"
      aria-label={t("compose.title")}
      data-testid="composer"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes("Files")) e.preventDefault();
      }}
      onDrop={(e) => {
        if (!e.dataTransfer.files.length || busy) return;
        e.preventDefault();
        void uploader.addFiles([...e.dataTransfer.files]);
      }}
    >
      <div className="composer-head">
        <h2 className="section-title">
          {t(forward ? "compose.forwardTitle" : props.mode === "replyAll" ? "conv.replyAll" : "conv.reply")}
        </h2>
        <span className="muted small" data-testid="draft-state">
          {save.kind === "saving"
            ? t("compose.saving")
            : save.kind === "saved"
              ? t("compose.saved", { time: dates.time(save.at) })
              : save.kind === "failed"
                ? t("compose.saveFailed")
                : ""}
        </span>
        <button type="button" className="link" onClick={props.onClose} disabled={busy}>
          {t("compose.close")}
        </button>
      </div>
      {othersReplying && <p className="banner warn">{t("compose.claimHeld", { name: othersReplying })}</p>}
      {hasConflictingActivity(props.detail, basedOnSeq) && (
        <p className="banner info" data-testid="compose-new-activity">
          {t("compose.newActivity")}
        </p>
      )}

      {pending?.state === "conflict" ? (
        <ConflictPanel
          conflict={pending.conflict}
          draftText={pending.input?.bodyText ?? ""}
          busy={false}
          onSendAnyway={() => {
            const c = checkBeforeSend(fields, { internalDomains: internal, attachmentCount });
            refusedDraftId.current = pending.conflict.draftId;
            if (c.ok) send(c, true);
          }}
          onEdit={() => {
            setBasedOnSeq(Math.max(basedOnSeq, pending.conflict.seq));
            forget(conversationId);
          }}
          onDiscard={() => void discard(pending.conflict.draftId ?? undefined)}
        />
      ) : pending?.state === "held" || pending?.state === "cancelling" ? (
        <UndoBar
          sendAt={pending.sendAt}
          cancelling={pending.state === "cancelling"}
          onCancel={() => void cancelSend(qc, pending.id)}
        />
      ) : busy ? (
        <div className="undo-bar" role="status" data-testid="undo-bar">
          <span>{t("undo.sendingNow")}</span>
        </div>
      ) : (
        <form
          className="compose-form"
          onSubmit={(e) => {
            e.preventDefault();
            startSend();
          }}
        >
          {pending?.state === "cancelled" && <p className="banner info">{t("undo.cancelled")}</p>}
          {pending?.state === "failed" && (
            <p className="form-error" role="alert">
              {t("undo.failed", { error: t(pending.error) })}
            </p>
          )}
          <label className="field-row">
            <span>{t("compose.to")}</span>
            <input value={fields.to} onChange={(e) => set({ to: e.target.value })} data-testid="compose-to" />
            {!showCc && (
              <button type="button" className="link" onClick={() => setShowCc(true)}>
                {t("compose.showCcBcc")}
              </button>
            )}
          </label>
          {showCc && (
            <>
              <label className="field-row">
                <span>{t("compose.cc")}</span>
                <input value={fields.cc} onChange={(e) => set({ cc: e.target.value })} />
              </label>
              <label className="field-row">
                <span>{t("compose.bcc")}</span>
                <input
                  value={fields.bcc}
                  onChange={(e) => set({ bcc: e.target.value })}
                  data-testid="compose-bcc"
                />
              </label>
            </>
          )}
          <label className="field-row">
            <span>{t("compose.subject")}</span>
            <input value={fields.subject} onChange={(e) => set({ subject: e.target.value })} />
          </label>
          <div className="compose-tools">
            <TemplatePicker
              inboxId={inboxId}
              conversationId={conversationId}
              onInsert={(r) => {
                const el = bodyRef.current;
                const at = el ? el.selectionStart : 0;
                set({
                  body: fields.body.slice(0, at) + r.body + fields.body.slice(at),
                  ...(r.subject ? { subject: r.subject } : {}),
                });
              }}
            />
            <select
              aria-label={t("compose.format")}
              data-testid="compose-format"
              value={format}
              onChange={(e) => setFormat(e.target.value === "markdown" ? "markdown" : "plain")}
            >
              <option value="plain">{t("compose.plain")}</option>
              <option value="markdown">{t("compose.markdown")}</option>
            </select>
          </div>
          <textarea
            ref={bodyRef}
            className="compose-body"
            aria-label={t("compose.body")}
            value={fields.body}
            onChange={(e) => set({ body: e.target.value })}
            rows={10}
            data-testid="compose-body"
          />
          {forward && originals.length > 0 && (
            <label className="field-row">
              <input
                type="checkbox"
                checked={forward.withAttachments}
                onChange={(e) => setForward({ ...forward, withAttachments: e.target.checked })}
                data-testid="forward-originals"
              />
              <span>
                {t("compose.forwardOriginals", { count: originals.length })}:{" "}
                {originals.map((a) => a.filename).join("、")}
              </span>
            </label>
          )}
          <AttachmentField
            files={files}
            uploader={uploader}
            onRemove={async (a) => {
              await trpc.draft.removeAttachment.mutate({ conversationId, attachmentId: a.id });
              setFiles((f) => f.filter((x) => x.id !== a.id));
            }}
          />
          {formError && (
            <p className="form-error" role="alert">
              {formError}
            </p>
          )}
          <div className="compose-actions">
            <label className="status-after">
              {t("compose.statusAfter")}
              <select value={statusAfter} onChange={(e) => setStatusAfter(e.target.value as Status)}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`status.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="danger" onClick={() => void discard()}>
              {t("compose.discard")}
            </button>
            <button type="submit" className="primary" data-testid="compose-send">
              {t("compose.send")}
            </button>
          </div>
        </form>
      )}
      {check && (
        <SendConfirm
          check={check}
          subject={fields.subject}
          statusAfter={statusAfter}
          undoSeconds={props.inbox?.settings.undoSendSeconds ?? 10}
          onBack={() => setCheck(null)}
          onConfirm={() => send(check, false)}
        />
      )}
    </section>
  );
}

/**
 * What the send-time guard will object to: a reply, a chat message or a customer mail after
 * the author's seq (claims, status and assignee changes do not count).
 */
function hasConflictingActivity(detail: ConversationDetail, basedOnSeq: number): boolean {
  return detail.activity.some(
    (a) =>
      a.seq > basedOnSeq &&
      (a.kind === "reply_sent" ||
        a.kind === "comment_added" ||
        (a.kind === "message_added" && a.direction === "inbound")),
  );
}
