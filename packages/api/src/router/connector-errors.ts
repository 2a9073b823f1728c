/**
 * The stored "last error" of a connector is free text: packages/sync records the English message
 * of its ConnectorError (diagnostics.ts). Rather than add a column, the admin page's code and
 * parameters are read back from that text here, against the same templates; a text no template
 * matches keeps code null and the page shows it as it is. packages/api/test/connector-errors.test.ts
 * runs sync's own messages through this, so a changed template fails there, not on the page.
 */

export type CodeParams = Record<string, string | number>;

/** Which job failed, from the prefix packages/sync/src/outbound.ts puts before the message. */
export type ErrorContext = "sending" | "sentCopy" | null;

export interface ClassifiedError {
  context: ErrorContext;
  /** Same names as sync's ConnectorErrorCode; null when the text is not one of its messages. */
  code: string | null;
  params: CodeParams;
}

const AT = String.raw`(IMAP|SMTP) (.+):(\d+)`;
const at = (m: RegExpMatchArray) => ({ service: m[1] ?? "", host: m[2] ?? "", port: Number(m[3]) });

/** Certificate problems, from the "what" part of the TLS message. */
function tlsCode(what: string, host: string): [string, CodeParams] {
  if (what === `the certificate is not for ${host}`) return ["tls_hostname", {}];
  if (what === "the certificate has expired") return ["tls_expired", {}];
  if (what === "the certificate is self-signed") return ["tls_self_signed", {}];
  return ["tls_invalid", { detail: what }];
}

const TEMPLATES: [RegExp, (m: RegExpMatchArray) => [string, CodeParams]][] = [
  [
    /^DNS: (\S+) does not resolve \((\w+)\); check the host name$/,
    (m) => ["dns_not_found", { host: m[1] ?? "", reason: m[2] ?? "" }],
  ],
  [new RegExp(`^TCP: ${AT} refused the connection; is the port right\\?$`), (m) => ["tcp_refused", at(m)]],
  [
    new RegExp(`^TCP: ${AT} did not answer in time \\(firewall or wrong port\\)$`),
    (m) => ["tcp_timeout", at(m)],
  ],
  [
    new RegExp(`^TCP: ${AT} closed the connection \\((.*)\\)$`, "s"),
    (m) => ["tcp_closed", { ...at(m), detail: m[4] ?? "" }],
  ],
  [
    new RegExp(
      `^TLS certificate of ${AT}: (.*); fix the host name, or allow an unverified certificate if you trust this server$`,
      "s",
    ),
    (m) => {
      const [code, extra] = tlsCode(m[4] ?? "", m[2] ?? "");
      return [code, { ...at(m), detail: m[4] ?? "", ...extra }];
    },
  ],
  [
    new RegExp(`^Authentication: ${AT} refused the user name or password \\((.*)\\)$`, "s"),
    (m) => ["auth_failed", { ...at(m), detail: m[4] ?? "" }],
  ],
  [
    /^Folder (.+) does not exist on (.+); the others are synced$/,
    (m) => ["folder_missing_sync", { folders: m[1] ?? "", host: m[2] ?? "" }],
  ],
  [
    /^Folder (.+) does not exist; existing: (.*)$/,
    (m) => ["folder_missing", { folder: m[1] ?? "", existing: m[2] ?? "" }],
  ],
  [/^The connection was closed$/, () => ["connection_closed", {}]],
  [
    /^The provider refused to mark mail as read \(\\Seen\) in (.+); it is retried$/,
    (m) => ["seen_refused", { folder: m[1] ?? "" }],
  ],
  [new RegExp(`^${AT}: (.*)$`, "s"), (m) => ["protocol_error", { ...at(m), detail: m[4] ?? "" }]],
];

const CONTEXTS: [string, Exclude<ErrorContext, null>][] = [
  ["Sending: ", "sending"],
  ["Sent copy: ", "sentCopy"],
];

/** Reads a stored connector error back into its code and parameters; unknown text gets code null. */
export function classifyConnectorError(text: string): ClassifiedError {
  let context: ErrorContext = null;
  let rest = text;
  for (const [prefix, name] of CONTEXTS)
    if (text.startsWith(prefix)) {
      context = name;
      rest = text.slice(prefix.length);
    }
  for (const [pattern, read] of TEMPLATES) {
    const m = rest.match(pattern);
    if (m) {
      const [code, params] = read(m);
      return { context, code, params };
    }
  }
  return { context, code: null, params: { detail: rest } };
}
