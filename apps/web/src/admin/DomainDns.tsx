import { useMutation, useQuery } from "@tanstack/react-query";
import { type Outputs, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { type I18n, isMessageKey, useI18n } from "../i18n";

type Shown = Outputs["admin"]["domains"]["dns"];
type Checked = Outputs["admin"]["domains"]["checkDns"];
type Item = Checked["items"][number];

/** The A record's value when MADOGUCHI_PUBLIC_IP is not set: the server cannot know it. */
const UNKNOWN_VALUE = /^<.*>$/;

/**
 * A domain's DNS records, as `madoguchi dns show` prints them, each with what it is for, and a
 * check that looks them up now and says, per record, whether it is right and what to change.
 */
export function DomainDns(props: { domain: string }) {
  const { t } = useI18n();
  const shown = useQuery({
    queryKey: [...keys.admin, "dns", props.domain],
    queryFn: () => trpc.admin.domains.dns.query({ name: props.domain }),
  });
  const check = useMutation({ mutationFn: () => trpc.admin.domains.checkDns.query({ name: props.domain }) });
  const error = shown.error ?? check.error;
  return (
    <section
      className="domain-dns"
      data-testid="domain-dns"
      aria-label={t("dns.title", { domain: props.domain })}
    >
      <p className="muted small">{t("dns.intro")}</p>
      {shown.data && <RecordList records={shown.data.records} checked={check.data} />}
      <div className="inline">
        <button type="button" onClick={() => check.mutate()} disabled={check.isPending || !shown.data}>
          {t(check.isPending ? "dns.checking" : "dns.check")}
        </button>
      </div>
      {check.data && (
        <p className={check.data.ok ? "ok" : "form-error"} data-testid="dns-summary">
          {t(check.data.ok ? "dns.allRight" : "dns.needsWork")}
        </p>
      )}
      <p className="muted small">{t("dns.longValues")}</p>
      {error && <p className="form-error">{t(errorKey(error))}</p>}
    </section>
  );
}

function RecordList(props: { records: Shown["records"]; checked: Checked | undefined }) {
  const { t } = useI18n();
  return (
    <ul className="dns-records">
      {props.records.map((r) => {
        const item = props.checked?.items.find((i) => i.kind === r.kind);
        return (
          <li key={r.kind} data-testid="dns-record" data-kind={r.kind} data-status={item?.status ?? ""}>
            <div className="inline">
              <strong className="grow">{t(`dns.kind.${r.kind}`)}</strong>
              {item && <span className={`tag dns-${item.status}`}>{t(`dns.status.${item.status}`)}</span>}
            </div>
            <dl className="dns-fields">
              <dt>{t("dns.type")}</dt>
              <dd>{r.type}</dd>
              <dt>{t("dns.name")}</dt>
              <dd className="dns-value">{r.name}</dd>
              <dt>{t("dns.value")}</dt>
              <dd className="dns-value" data-testid="dns-value">
                {UNKNOWN_VALUE.test(r.value) ? <em>{t("dns.unknownIp")}</em> : r.value}
              </dd>
            </dl>
            {r.kind === "ptr" && <p className="muted small">{t("dns.ptrWhere")}</p>}
            {item && item.status !== "ok" && <Problem item={item} />}
          </li>
        );
      })}
    </ul>
  );
}

function Problem(props: { item: Item }) {
  const { t } = useI18n();
  const { item } = props;
  return (
    <div className="form-error small" data-testid="dns-problem" data-problem={item.problem ?? ""}>
      <p>{problemText(t, item)}</p>
      {item.found.length > 0 && (
        <p className="dns-value">
          {t("dns.found")}: {item.found.join(" | ")}
        </p>
      )}
    </div>
  );
}

/** The problem in the admin's language; a code this page does not know reads as "wrong". */
function problemText(t: I18n["t"], item: Item): string {
  const key = `dns.problem.${item.problem}`;
  return item.problem && isMessageKey(key)
    ? t(key, { name: item.name, value: item.value })
    : t(`dns.status.${item.status}`);
}
