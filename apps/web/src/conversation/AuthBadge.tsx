import type { ViewMessage } from "../api/client";
import { useI18n } from "../i18n";

/** SPF/DKIM/DMARC as stored when the mail arrived: verified, failed (likely spoofed) or unknown. */
export function AuthBadge(props: { auth: ViewMessage["auth"] }) {
  const { t } = useI18n();
  const a = props.auth;
  if (!a) return null;
  return (
    <span
      className={`auth-badge auth-${a.verdict}`}
      title={t("auth.detail", { spf: a.spf, dkim: a.dkim, dmarc: a.dmarc })}
      data-testid="auth-badge"
    >
      {a.verdict === "verified" ? "✓ " : a.verdict === "failed" ? "⚠ " : ""}
      {t(`auth.${a.verdict}`)}
    </span>
  );
}
