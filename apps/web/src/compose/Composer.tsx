import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { type ConversationDetail, type InboxItem, type Me, trpc } from "../api/client";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";
import { markdownToHtml } from "../lib/markdown";
import { ownAddressesOf, quoteOriginal, replyFields } from "../lib/reply-fields";
import { useStore } from "../lib/store";
import { showToast } from "../lib/toast";
import { AddressFields } from "./AddressFields";
import { AttachmentField } from "./AttachmentField";
import { BodyField } from "./BodyField";
import { ComposeFooter } from "./ComposeFooter";
import { ConflictPanel } from "./ConflictPanel";
import { draftContent, fieldsFromDraft, sentContent } from "./compose-content";
import { type BodyFormat, FormatSelect } from "./FormatSelect";
import { adoptHeld, cancelSend, forget, isBusy, outbox, queueSend } from "./outbox";
import { SendConfirm } from "./SendConfirm";
import type { ComposeFields } from "./send-checks";
import { TemplatePicker } from "./TemplatePicker";
import { UndoBar } from "./UndoBar";
import { type DraftAttachment, replyDraftUploadUrl } from "./upload";
import { useDraftAttachments } from "./useDraftAttachments";
import { useDraftAutosave } from "./useDraftAutosave";
import { useReplyClaim } from "./useReplyClaim";
import { type OkCheck, useSendStep } from "./useSendStep";

export type ComposeMode = "reply" | "replyAll" | "forward";

type ForwardChoice = { messageId: number; withAttachments: boolean };

/** Loads the saved draft first, so a reload restores what was typed (and the seq it was based on). */
export function Composer(props: {
  me: Me;
  inbox: InboxItem | undefined;
  detail: ConversationDetail;
  mode: ComposeMode;
  /** For a forward: the message forwarded (default: the conversation's last). */
  forwardMessageId?: number;
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
      ? { messageId: props.forwardMessageId ?? lastMessageId, withAttachments: true }
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
  const f = replyFields(
    detail.messages,
    detail.conversation.customer,
    ownAddressesOf(props.inbox, props.me),
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
      ? fieldsFromDraft(props.saved.content)
      : initialFields(props, attribution, props.forward?.start ?? null),
  );
  const [forward, setForward] = useState(props.forward?.choice ?? null);
  const originals = props.forward?.start.attachments ?? [];
  const attachments = useDraftAttachments({
    initial: props.files,
    uploadUrl: async () => replyDraftUploadUrl(conversationId),
    removeFromServer: async (a) => {
      await trpc.draft.removeAttachment.mutate({ conversationId, attachmentId: a.id });
    },
  });
  const [format, setFormat] = useState<BodyFormat>(
    props.saved?.content.format ?? (props.saved?.content.bodyHtml ? "markdown" : "plain"),
  );
  const [showCc, setShowCc] = useState(fields.cc !== "" || fields.bcc !== "");
  // What the author has seen: fixed when the reply starts (or restored with the draft), never
  // advanced silently by realtime refreshes; the send-time guard compares against it.
  const [basedOnSeq, setBasedOnSeq] = useState(props.saved?.basedOnSeq ?? props.detail.conversation.lastSeq);
  const sendStep = useSendStep(fields, {
    ownAddresses: ownAddressesOf(props.inbox, props.me),
    attachmentCount: attachments.files.length + (forward?.withAttachments ? originals.length : 0),
    statusAfter: props.inbox?.settings.statusOnReply ?? "done",
  });
  const claim = useReplyClaim(conversationId, props.takeOver ?? false, forward === null);
  const pending = useStore(outbox).find((p) => p.conversationId === conversationId);
  // Taken back after a reload (the send was adopted, its text was never in this form): the
  // draft the server gives back fills the form, once.
  const restored = useRef<number | null>(null);
  const saved = props.saved;
  const adoptedCancelled = pending?.state === "cancelled" && pending.input === null;
  useEffect(() => {
    if (!adoptedCancelled || !saved || restored.current === saved.id) return;
    restored.current = saved.id;
    setFields(fieldsFromDraft(saved.content));
    setBasedOnSeq(saved.basedOnSeq);
  }, [adoptedCancelled, saved]);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const refusedDraftId = useRef<number | null>(null);

  const busy = isBusy(pending);
  const content = useMemo(
    () => ({
      ...draftContent(fields, format),
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

  const set = (patch: Partial<ComposeFields>) => setFields((f) => ({ ...f, ...patch }));

  // The 送信予約 time of the last confirm: sending anyway after a refusal keeps it.
  const sendAtRef = useRef<string | undefined>(undefined);
  const send = (c: OkCheck, override: boolean, sendAt = sendAtRef.current) => {
    sendAtRef.current = sendAt;
    sendStep.close();
    void queueSend(qc, {
      inboxId,
      input: {
        conversationId,
        basedOnSeq,
        ...sentContent(c, fields, format),
        override,
        statusAfter: sendStep.statusAfter,
        ...(sendAt ? { sendAt } : {}),
        ...(forward ? { forward } : {}),
      },
    });
  };

  const discard = async (draftId?: number) => {
    if (!window.confirm(t("compose.discardConfirm"))) return;
    await save.stop();
    await trpc.draft.discard.mutate({ conversationId }).catch(() => {});
    if (draftId) await trpc.draft.discard.mutate({ conversationId, draftId }).catch(() => {});
    void qc.invalidateQueries({ queryKey: keys.drafts(conversationId) });
    forget(conversationId);
    props.onClose();
  };

  const othersReplying = claim && !claim.held ? claim.holder.name : null;
  // As the server sends it: a reply from the address the customer wrote to, a forward from the main one.
  const sender = forward ? props.inbox?.address : props.detail.replyFrom.address;

  return (
    <section
      className="composer"
      aria-label={t("compose.title")}
      data-testid="composer"
      {...attachments.dropTarget(busy)}
    >
      <div className="composer-head">
        <h2 className="section-title">
          {t(forward ? "compose.forwardTitle" : props.mode === "replyAll" ? "conv.replyAll" : "conv.reply")}
        </h2>
        <span className="muted small" data-testid="draft-state">
          {save.state.kind === "saving"
            ? t("compose.saving")
            : save.state.kind === "saved"
              ? t("compose.saved", { time: dates.time(save.state.at) })
              : save.state.kind === "failed"
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
            const c = sendStep.run();
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
            sendStep.start();
          }}
        >
          {pending?.state === "cancelled" && (
            <p className="banner info" data-testid="send-taken-back">
              {t(pending.why === "customer_wrote" ? "undo.withdrawn" : "undo.cancelled")}
            </p>
          )}
          {pending?.state === "failed" && (
            <p className="form-error" role="alert">
              {t("undo.failed", { error: t(pending.error) })}
            </p>
          )}
          {sender && (
            <div className="muted small" data-testid="compose-from">
              {t("compose.sender", { address: sender })}
            </div>
          )}
          <AddressFields
            fields={fields}
            onChange={set}
            testIds={{ to: "compose-to", bcc: "compose-bcc" }}
            ccHidden={!showCc}
            onShowCc={() => setShowCc(true)}
          />
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
            <FormatSelect value={format} onChange={setFormat} testId="compose-format" />
          </div>
          <BodyField
            textareaRef={bodyRef}
            value={fields.body}
            onChange={(body) => set({ body })}
            rows={10}
            testId="compose-body"
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
          <AttachmentField attachments={attachments} />
          <ComposeFooter step={sendStep} onDiscard={() => void discard()} sendTestId="compose-send" />
        </form>
      )}
      <SendConfirm
        step={sendStep}
        subject={fields.subject}
        undoSeconds={props.inbox?.settings.undoSendSeconds ?? 10}
        onConfirm={(c, sendAt) => send(c, false, sendAt)}
      />
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
