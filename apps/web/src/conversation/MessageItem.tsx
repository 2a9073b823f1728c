import type { ViewMessage } from "../api/client";
import { useI18n } from "../i18n";
import { AuthBadge } from "./AuthBadge";
import { HtmlMailFrame } from "./HtmlMailFrame";
import { PlainText } from "./PlainText";

const party = (p: { name?: string | null; address?: string | null }) =>
  p.name && p.address ? `${p.name} <${p.address}>` : p.name || p.address || "";

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function MessageItem(props: {
  message: ViewMessage;
  allowRemote: boolean;
  onShowImages: () => void;
  /** Forward this message (offered where the conversation has several). */
  onForward?: () => void;
  /** A send still held (送信予約 or the undo window): when it goes, instead of 送信済み. */
  sendsAt?: string;
}) {
  const { t, dates } = useI18n();
  const m = props.message;
  const files = m.attachments.filter((a) => !(a.inline && a.contentId && m.html));
  return (
    <article className={`message ${m.direction}`} data-testid="message" data-message-id={m.id}>
      <header className="message-head">
        <span className="from">{party(m.from)}</span>
        {m.direction === "outbound" && props.sendsAt ? (
          <span className="tag scheduled-tag" data-testid="scheduled-tag">
            {t("conv.scheduledTag", { time: dates.full(props.sendsAt) })}
          </span>
        ) : m.autoReply ? (
          <span className="tag" data-testid="auto-reply-tag">
            {t("conv.autoReplyTag")}
          </span>
        ) : m.direction === "outbound" ? (
          <span className="tag">{t("conv.outbound")}</span>
        ) : (
          <AuthBadge auth={m.auth} />
        )}
        <time className="time" dateTime={m.date ?? m.receivedAt}>
          {dates.full(m.date ?? m.receivedAt)}
        </time>
        <span className="recipients muted small">
          {t("conv.to")}: {m.to.map(party).join(", ")}
          {m.cc.length > 0 && ` / ${t("conv.cc")}: ${m.cc.map(party).join(", ")}`}
        </span>
        {props.onForward && (
          <button type="button" className="small" onClick={props.onForward} data-testid="message-forward">
            {t("conv.forward")}
          </button>
        )}
      </header>
      {m.parseError && <p className="banner warn">{t("conv.parseError", { error: m.parseError })}</p>}
      {m.mailbox === "Junk" && (
        <p className="banner warn" data-testid="junk-banner">
          {m.auth?.blocklist
            ? t("conv.junk.blocklist", { list: m.auth.blocklist })
            : m.auth?.dmarc === "fail"
              ? t("conv.junk.dmarc")
              : t("conv.junk.other")}
        </p>
      )}
      {m.remoteImagesBlocked > 0 && !props.allowRemote && (
        <p className="banner info images-blocked">
          {t("conv.imagesBlocked", { count: m.remoteImagesBlocked })}{" "}
          <button type="button" onClick={props.onShowImages} data-testid="show-images">
            {t("conv.showImages")}
          </button>
        </p>
      )}
      {m.html ? (
        <HtmlMailFrame html={m.html} allowRemote={props.allowRemote} title={m.subject} />
      ) : (
        <PlainText text={m.text} />
      )}
      {files.length > 0 && (
        <ul className="attachments" aria-label={t("conv.attachments")}>
          {files.map((a) => (
            <li key={a.index}>
              <a href={a.url} download={a.filename} data-testid="attachment">
                📎 {a.filename} <span className="muted small">({formatSize(a.size)})</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
