import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { type Me, mutationId, trpc } from "../api/client";
import { isScheduled } from "../api/constants";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";
import { ownAddressesOf } from "../lib/reply-fields";
import { hrefConversation, navigate, useRoute } from "../lib/route";
import { showToast } from "../lib/toast";
import { AddressFields } from "./AddressFields";
import { AttachmentField } from "./AttachmentField";
import { BodyField } from "./BodyField";
import { ComposeFooter } from "./ComposeFooter";
import { draftContent, fieldsFromDraft, sentContent } from "./compose-content";
import { type BodyFormat, FormatSelect } from "./FormatSelect";
import { SendConfirm } from "./SendConfirm";
import type { ComposeFields } from "./send-checks";
import { UndoBar } from "./UndoBar";
import { newDraftUploadUrl } from "./upload";
import { useDraftAttachments } from "./useDraftAttachments";
import { type NewDraft, useNewDraft } from "./useNewDraft";
import { type OkCheck, useSendStep } from "./useSendStep";

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
  const { t, dates } = useI18n();
  const qc = useQueryClient();
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  // Shared addresses only: a new conversation belongs to a team inbox.
  const list = (inboxes.data?.inboxes ?? []).filter((i) => i.kind === "shared");
  const [inboxId, setInboxId] = useState<number | null>(props.saved?.inboxId ?? null);
  const inbox = list.find((i) => i.id === inboxId) ?? list[0];
  const [fields, setFields] = useState<ComposeFields>(() => fieldsFromDraft(props.saved?.content));
  const [format, setFormat] = useState<BodyFormat>(props.saved?.content.format ?? "plain");
  const [sending, setSending] = useState<Sending>({ state: "editing" });
  const set = (patch: Partial<ComposeFields>) => setFields((f) => ({ ...f, ...patch }));
  const content = useMemo(() => draftContent(fields, format), [fields, format]);
  const draft = useNewDraft({
    saved: props.saved,
    inboxId: inbox?.id ?? null,
    content,
    empty: !fields.to && !fields.subject && !fields.body.trim(),
    paused: sending.state !== "editing",
  });
  const attachments = useDraftAttachments({
    initial: props.saved?.attachments ?? [],
    uploadUrl: async () => newDraftUploadUrl(await draft.ensure()),
    // A listed file was uploaded to the draft, so the draft has an id by then.
    removeFromServer: async (a) => {
      const draftId = draft.draftId.current;
      if (draftId !== null)
        await trpc.compose.removeNewDraftAttachment.mutate({ draftId, attachmentId: a.id });
    },
  });
  const sendStep = useSendStep(fields, {
    ownAddresses: ownAddressesOf(inbox, props.me),
    attachmentCount: attachments.files.length,
    statusAfter: "done",
  });
  useEffect(() => {
    if (props.saved) showToast({ kind: "info", text: t("compose.restored") }, 4000);
  }, [props.saved, t]);

  // The inbox's signature goes in once, when the address is first chosen.
  const signature = inbox?.settings.signature ?? "";
  useEffect(() => {
    if (signature) setFields((f) => (f.body || f.subject || f.to ? f : { ...f, body: `\n\n${signature}` }));
  }, [signature]);

  const send = async (c: OkCheck, sendAt: string | undefined) => {
    if (!inbox) return;
    sendStep.close();
    setSending({ state: "sending" });
    try {
      // The files are on the server draft: make sure it exists and has the latest text.
      const draftId =
        attachments.files.length || draft.draftId.current !== null ? await draft.save() : undefined;
      const r = await trpc.compose.newMessage.mutate({
        ...(draftId !== undefined ? { draftId } : {}),
        inboxId: inbox.id,
        ...sentContent(c, fields, format),
        statusAfter: sendStep.statusAfter,
        ...(sendAt ? { sendAt } : {}),
        clientMutationId: mutationId(),
      });
      void qc.invalidateQueries({ queryKey: keys.list(inbox.id) });
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      // A 送信予約: the dialog does not wait hours; the conversation shows it, with its undo.
      if (r.heldUntil && r.conversationId !== null && isScheduled(r.heldUntil))
        done(inbox.id, r.conversationId, t("compose.newScheduled", { time: dates.full(r.heldUntil) }));
      else if (r.heldUntil && r.conversationId !== null)
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
      sendStep.setError(t("undo.failed", { error: t(errorKey(err)) }));
    }
  };

  const done = (forInbox: number, conversationId: number | null, text = t("compose.newSent")) => {
    showToast({ kind: "info", text }, 4000);
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
    await draft.stop();
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
        {...attachments.dropTarget(sending.state !== "editing")}
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
              sendStep.start();
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
            <AddressFields
              fields={fields}
              onChange={set}
              testIds={{ to: "new-to", subject: "new-subject" }}
            />
            <FormatSelect value={format} onChange={setFormat} />
            <BodyField value={fields.body} onChange={(body) => set({ body })} rows={8} testId="new-body" />
            <AttachmentField attachments={attachments} />
            <ComposeFooter
              step={sendStep}
              onDiscard={() => void discard()}
              discardDisabled={sending.state === "sending"}
              sendDisabled={sending.state === "sending" || !inbox}
              sendTestId="new-send"
            >
              <button type="button" onClick={() => void close()} disabled={sending.state === "sending"}>
                {t("compose.close")}
              </button>
            </ComposeFooter>
          </form>
        )}
      </div>
      <SendConfirm
        step={sendStep}
        subject={fields.subject}
        undoSeconds={inbox?.settings.undoSendSeconds ?? 10}
        onConfirm={(c, sendAt) => void send(c, sendAt)}
      />
    </div>
  );
}
