import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { type Me, mutationId, STATUSES, type Status, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";
import { markdownToHtml } from "../lib/markdown";
import { internalDomainsOf } from "../lib/reply-fields";
import { hrefConversation, navigate, useRoute } from "../lib/route";
import { showToast } from "../lib/toast";
import { SendConfirm } from "./SendConfirm";
import { type ComposeFields, checkBeforeSend, type SendCheck } from "./send-checks";

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

function NewMessageDialog(props: { me: Me; onClose: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  // Shared addresses only: a new conversation belongs to a team inbox.
  const list = (inboxes.data?.inboxes ?? []).filter((i) => i.kind === "shared");
  const [inboxId, setInboxId] = useState<number | null>(null);
  const inbox = list.find((i) => i.id === inboxId) ?? list[0];
  const [fields, setFields] = useState<ComposeFields>({ to: "", cc: "", bcc: "", subject: "", body: "" });
  const [format, setFormat] = useState<"plain" | "markdown">("plain");
  const [statusAfter, setStatusAfter] = useState<Status>("done");
  const [check, setCheck] = useState<Extract<SendCheck, { ok: true }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState<Sending>({ state: "editing" });
  const set = (patch: Partial<ComposeFields>) => setFields((f) => ({ ...f, ...patch }));

  // The inbox's signature goes in once, when the address is first chosen.
  const signature = inbox?.settings.signature ?? "";
  useEffect(() => {
    if (signature) setFields((f) => (f.body ? f : { ...f, body: `\n\n${signature}` }));
  }, [signature]);

  const startSend = () => {
    const c = checkBeforeSend(fields, {
      internalDomains: internalDomainsOf([inbox?.address ?? "", props.me.email]),
      attachmentCount: 0,
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
      const r = await trpc.compose.newMessage.mutate({
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

  const cancel = async () => {
    if (sending.state !== "held") return;
    try {
      const r = await trpc.reply.cancel.mutate({ outboundId: sending.outboundId });
      // The text is still in this dialog: the draft the server gave back is not needed.
      await trpc.draft.discard
        .mutate({ conversationId: r.conversationId, draftId: r.draftId })
        .catch(() => {});
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
      >
        <h2>{t("compose.newMessage")}</h2>
        {sending.state === "held" ? (
          <HeldBar
            sendAt={sending.sendAt}
            onCancel={() => void cancel()}
            onDone={() => done(sending.inboxId, sending.conversationId)}
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
              <button type="button" onClick={props.onClose} disabled={sending.state === "sending"}>
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

/** The countdown of the server's undo window; at zero the send has gone to the workers. */
function HeldBar(props: { sendAt: number; onCancel: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((props.sendAt - now) / 1000));
  const fired = useRef(false);
  const { onDone } = props;
  useEffect(() => {
    if (seconds > 0 || fired.current) return;
    fired.current = true;
    onDone();
  }, [seconds, onDone]);
  return (
    <div className="undo-bar" role="status" data-testid="undo-bar">
      <span>{t("undo.sending", { seconds })}</span>
      <button type="button" className="primary" onClick={props.onCancel} data-testid="undo-send">
        {t("undo.cancel")}
      </button>
    </div>
  );
}
