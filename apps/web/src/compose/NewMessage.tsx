import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { type Me, mutationId, STATUSES, type Status, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";
import { markdownToHtml } from "../lib/markdown";
import { internalDomainsOf } from "../lib/reply-fields";
import { hrefConversation, navigate, useRoute } from "../lib/route";
import { showToast } from "../lib/toast";
import { AttachmentField, useUploader } from "./AttachmentField";
import { listPieces, listText } from "./address-list";
import { SendConfirm } from "./SendConfirm";
import { type ComposeFields, checkBeforeSend, type SendCheck } from "./send-checks";
import { UndoBar } from "./UndoBar";
import { newDraftUploadUrl } from "./upload";
import { type NewDraft, useNewDraft } from "./useNewDraft";

type Sending =
  | { state: "editing" }
  | { state: "sending" }
  | { state: "held"; outboundId: number; sendAt: number; inboxId: number; conversationId: number };

/**
 * 新規作成: a floating button on every screen opens a message from one of the user's shared
 * addresses. It goes through the same confirmation and server-held undo window as a reply;
 * when the window ends the new conversation opens.
 */
export function NewMessageLauncher(props: { me: Me }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const route = useRoute();
  // On a phone an open conversation needs the whole screen (its reply bar sits where the button would).
  const inConversation = route.name === "inbox" && route.conversationId !== null;
  return (
    <>
      <button
        type="button"
        className={`primary new-message-fab${inConversation ? " in-conversation" : ""}`}
        onClick={() => setOpen(true)}
        data-testid="new-message-button"
      >
        ✉ {t("compose.newMessage")}
      </button>
      {open && <NewMessageDialog me={props.me} onClose={() => setOpen(false)} />}
    </>
  );
}

/** Loads the user's unsent new message first, so a reload (or a closed dialog) loses nothing. */
function NewMessageDialog(props: { me: Me; onClose: () => void }) {
  const { t } = useI18n();
  const saved = useQuery({
    queryKey: ["compose.newDrafts"],
    queryFn: () => trpc.compose.newDrafts.query(),
    staleTime: 0,
    gcTime: 0,
  });
  if (saved.isPending)
    return (
      <div className="dialog-backdrop">
        <div className="dialog muted">{t("app.loading")}</div>
      </div>
    );
  return <NewMessageForm {...props} saved={saved.data?.drafts[0] ?? null} />;
}

function NewMessageForm(props: { me: Me; onClose: () => void; saved: NewDraft | null }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  // Shared addresses only: a new conversation belongs to a team inbox.
  const list = (inboxes.data?.inboxes ?? []).filter((i) => i.kind === "shared");
  const [inboxId, setInboxId] = useState<number | null>(props.saved?.inboxId ?? null);
  const inbox = list.find((i) => i.id === inboxId) ?? list[0];
  const c0 = props.saved?.content;
  const [fields, setFields] = useState<ComposeFields>({
    to: listText(c0?.to),
    cc: listText(c0?.cc),
    bcc: listText(c0?.bcc),
    subject: c0?.subject ?? "",
    body: c0?.bodyText ?? "",
  });
  const [format, setFormat] = useState<"plain" | "markdown">(c0?.format ?? "plain");
  const [statusAfter, setStatusAfter] = useState<Status>("done");
  const [check, setCheck] = useState<Extract<SendCheck, { ok: true }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState<Sending>({ state: "editing" });
  const set = (patch: Partial<ComposeFields>) => setFields((f) => ({ ...f, ...patch }));
  const content = useMemo(
    () => ({
      subject: fields.subject,
      to: listPieces(fields.to),
      cc: listPieces(fields.cc),
      bcc: listPieces(fields.bcc),
      bodyText: fields.body,
      format,
    }),
    [fields, format],
  );
  const draft = useNewDraft({
    saved: props.saved,
    inboxId: inbox?.id ?? null,
    content,
    empty: !fields.to && !fields.subject && !fields.body.trim(),
    paused: sending.state !== "editing",
  });
  const uploader = useUploader(
    async () => newDraftUploadUrl(await draft.ensure()),
    (a) => draft.setFiles((f) => [...f, a]),
  );
  useEffect(() => {
    if (props.saved) showToast({ kind: "info", text: t("compose.restored") }, 4000);
  }, [props.saved, t]);

  // The inbox's signature goes in once, when the address is first chosen.
  const signature = inbox?.settings.signature ?? "";
  useEffect(() => {
    if (signature) setFields((f) => (f.body || f.subject || f.to ? f : { ...f, body: `\n\n${signature}` }));
  }, [signature]);

  const startSend = () => {
    const c = checkBeforeSend(fields, {
      internalDomains: internalDomainsOf([inbox?.address ?? "", props.me.email]),
      attachmentCount: draft.files.length,
    });
    if (!c.ok) {
      setError(
        c.problem === "noRecipients"
          ? t("compose.noRecipients")
          : t("compose.invalidRecipients", { list: c.invalid.join(", ") }),
      );
      return;
    }
    setError(null);
    setCheck(c);
  };

  const send = async (c: Extract<SendCheck, { ok: true }>) => {
    if (!inbox) return;
    setCheck(null);
    setSending({ state: "sending" });
    try {
      // The files are on the server draft: make sure it exists and has the latest text.
      const draftId = draft.files.length || draft.draftId.current !== null ? await draft.save() : undefined;
      const r = await trpc.compose.newMessage.mutate({
        ...(draftId !== undefined ? { draftId } : {}),
        inboxId: inbox.id,
        to: c.to,
        cc: c.cc,
        bcc: c.bcc,
        subject: fields.subject,
        bodyText: fields.body,
        ...(format === "markdown" ? { bodyHtml: markdownToHtml(fields.body) } : {}),
        statusAfter,
        clientMutationId: mutationId(),
      });
      void qc.invalidateQueries({ queryKey: keys.list(inbox.id) });
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      if (r.heldUntil && r.conversationId !== null)
        setSending({
          state: "held",
          outboundId: r.outboundId,
          sendAt: Date.parse(r.heldUntil),
          inboxId: inbox.id,
          conversationId: r.conversationId,
        });
      else done(inbox.id, r.conversationId);
    } catch (err) {
      setSending({ state: "editing" });
      setError(t("undo.failed", { error: t(errorKey(err)) }));
    }
  };

  const done = (forInbox: number, conversationId: number | null) => {
    showToast({ kind: "info", text: t("compose.newSent") }, 4000);
    props.onClose();
    if (conversationId !== null) navigate(hrefConversation(forInbox, conversationId));
  };

  /** Closing keeps the draft (saved now, not after the autosave delay); 破棄 deletes it. */
  const close = async () => {
    if (draft.draftId.current !== null) await draft.save().catch(() => {});
    props.onClose();
  };
  const discard = async () => {
    if (!window.confirm(t("compose.discardConfirm"))) return;
    const draftId = draft.draftId.current;
    if (draftId !== null) await trpc.compose.discardNewDraft.mutate({ draftId }).catch(() => {});
    props.onClose();
  };

  const cancel = async () => {
    if (sending.state !== "held") return;
    try {
      const r = await trpc.reply.cancel.mutate({ outboundId: sending.outboundId });
      // The draft the server gave back (text and files) is this dialog's new-message draft again
      // (also when the message went before its first autosave); the conversation it started is gone.
      if (r.newDraft) draft.draftId.current = r.draftId;
      else
        await trpc.draft.discard
          .mutate({ conversationId: r.conversationId, draftId: r.draftId })
          .catch(() => {});
      void qc.invalidateQueries({ queryKey: keys.list(sending.inboxId) });
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      setSending({ state: "editing" });
      showToast({ kind: "info", text: t("undo.cancelled") }, 4000);
    } catch {
      done(sending.inboxId, sending.conversationId);
    }
  };

  return (
    <div className="dialog-backdrop">
      <div
        className="dialog compose-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={t("compose.newMessage")}
        data-testid="new-message-dialog"
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes("Files")) e.preventDefault();
        }}
        onDrop={(e) => {
          if (!e.dataTransfer.files.length || sending.state !== "editing") return;
          e.preventDefault();
          void uploader.addFiles([...e.dataTransfer.files]);
        }}
      >
        <h2>{t("compose.newMessage")}</h2>
        {sending.state === "held" ? (
          <UndoBar
            sendAt={sending.sendAt}
            onCancel={() => void cancel()}
            onElapsed={() => done(sending.inboxId, sending.conversationId)}
          />
        ) : (
          <form
            className="compose-form"
            data-testid="new-message"
            onSubmit={(e) => {
              e.preventDefault();
              startSend();
            }}
          >
            <label className="field-row">
              <span>{t("compose.from")}</span>
              <select
                value={inbox?.id ?? ""}
                onChange={(e) => setInboxId(Number(e.target.value))}
                data-testid="new-from"
              >
                {list.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name} &lt;{i.address}&gt;
                  </option>
                ))}
              </select>
            </label>
            <label className="field-row">
              <span>{t("compose.to")}</span>
              <input value={fields.to} onChange={(e) => set({ to: e.target.value })} data-testid="new-to" />
            </label>
            <label className="field-row">
              <span>{t("compose.cc")}</span>
              <input value={fields.cc} onChange={(e) => set({ cc: e.target.value })} />
            </label>
            <label className="field-row">
              <span>{t("compose.bcc")}</span>
              <input value={fields.bcc} onChange={(e) => set({ bcc: e.target.value })} />
            </label>
            <label className="field-row">
              <span>{t("compose.subject")}</span>
              <input
                value={fields.subject}
                onChange={(e) => set({ subject: e.target.value })}
                data-testid="new-subject"
              />
            </label>
            <select
              aria-label={t("compose.format")}
              value={format}
              onChange={(e) => setFormat(e.target.value === "markdown" ? "markdown" : "plain")}
            >
              <option value="plain">{t("compose.plain")}</option>
              <option value="markdown">{t("compose.markdown")}</option>
            </select>
            <textarea
              className="compose-body"
              aria-label={t("compose.body")}
              value={fields.body}
              onChange={(e) => set({ body: e.target.value })}
              rows={8}
              data-testid="new-body"
            />
            <AttachmentField
              files={draft.files}
              uploader={uploader}
              onRemove={async (a) => {
                const draftId = draft.draftId.current;
                if (draftId === null) return;
                await trpc.compose.removeNewDraftAttachment.mutate({ draftId, attachmentId: a.id });
                draft.setFiles((f) => f.filter((x) => x.id !== a.id));
              }}
            />
            {error && (
              <p className="form-error" role="alert">
                {error}
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
              <button
                type="button"
                className="danger"
                onClick={() => void discard()}
                disabled={sending.state === "sending"}
              >
                {t("compose.discard")}
              </button>
              <button type="button" onClick={() => void close()} disabled={sending.state === "sending"}>
                {t("compose.close")}
              </button>
              <button
                type="submit"
                className="primary"
                disabled={sending.state === "sending" || !inbox}
                data-testid="new-send"
              >
                {t("compose.send")}
              </button>
            </div>
          </form>
        )}
      </div>
      {check && (
        <SendConfirm
          check={check}
          subject={fields.subject}
          statusAfter={statusAfter}
          undoSeconds={inbox?.settings.undoSendSeconds ?? 10}
          onBack={() => setCheck(null)}
          onConfirm={() => void send(check)}
        />
      )}
    </div>
  );
}
