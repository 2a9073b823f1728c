import type { ConnectorErrorContext, ConnectorErrorParams, ConnectorErrorRecord } from "@madoguchi/core";

/** Where a connection failed, in the order a connection is built. */
export type FailedStep = "dns" | "tcp" | "tls" | "auth" | "folder" | "protocol";

/**
 * A stable name for each failure an admin can meet, so the web page can say it in the admin's
 * language (apps/web i18n `connector.code.<code>`); the English message stays for the CLI and logs.
 */
export type ConnectorErrorCode =
  | "dns_not_found"
  | "tcp_refused"
  | "tcp_timeout"
  | "tcp_closed"
  | "tls_hostname"
  | "tls_expired"
  | "tls_self_signed"
  | "tls_invalid"
  | "auth_failed"
  | "folder_missing"
  | "folder_missing_sync"
  | "connection_closed"
  | "seen_refused"
  | "protocol_error"
  /** Thrown without a code (an error not from a connection): the page shows the English message. */
  | "unclassified";

/** What filled the message: the same facts a stored error keeps (core's ConnectorErrorParams). */
export type CodeParams = ConnectorErrorParams;

/** A failure explained for an admin: which step, what to check, and its code with the facts in it. */
export class ConnectorError extends Error {
  constructor(
    readonly step: FailedStep,
    message: string,
    /** False when retrying cannot help until the admin changes something (auth, certificate). */
    readonly retryable: boolean,
    readonly code: ConnectorErrorCode = "unclassified",
    readonly params: CodeParams = { detail: message },
  ) {
    super(message);
    this.name = "ConnectorError";
  }
}

/**
 * The code and facts an error is stored and shown with, for the sync's stored last error and the
 * connection test alike: an unclassified error has code null, and the page shows its message.
 */
export function codedFacts(e: ConnectorError): {
  code: Exclude<ConnectorErrorCode, "unclassified"> | null;
  params: CodeParams;
} {
  return { code: e.code === "unclassified" ? null : e.code, params: e.params };
}

/** What recordConnectorError stores for this error: the English message, its codedFacts and the failed job. */
export function errorRecord(
  e: ConnectorError,
  context: ConnectorErrorContext | null = null,
): ConnectorErrorRecord {
  return { message: e.message, ...codedFacts(e), context };
}

const TLS_CODES = new Set([
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);

interface ErrLike {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  responseCode?: number;
  serverResponseCode?: string;
  reason?: string;
}

/** Turns what imapflow, nodemailer or node:net threw into a ConnectorError naming the failed step. */
export function explainConnectError(err: unknown, service: "IMAP" | "SMTP", host: string, port: number) {
  if (err instanceof ConnectorError) return err;
  const e = (err ?? {}) as ErrLike;
  const where = `${service} ${host}:${port}`;
  const at = { service, host, port };
  const detail = e.responseText || e.message || String(err);
  // nodemailer wraps socket errors as ESOCKET/ECONNECTION; the system code is in the message.
  const wrapped = e.code === "ESOCKET" || e.code === "ECONNECTION" || e.code === "ETIMEDOUT";
  const code =
    (wrapped
      ? detail.match(/\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)\b/)?.[1]
      : undefined) ??
    e.code ??
    "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new ConnectorError(
      "dns",
      `DNS: ${host} does not resolve (${code}); check the host name`,
      true,
      "dns_not_found",
      { host, reason: code },
    );
  if (code === "ECONNREFUSED")
    return new ConnectorError(
      "tcp",
      `TCP: ${where} refused the connection; is the port right?`,
      true,
      "tcp_refused",
      at,
    );
  if (
    code === "ETIMEDOUT" ||
    code === "ETIMEOUT" ||
    code === "ConnectionTimeout" ||
    code === "CONNECT_TIMEOUT"
  )
    return new ConnectorError(
      "tcp",
      `TCP: ${where} did not answer in time (firewall or wrong port)`,
      true,
      "tcp_timeout",
      at,
    );
  if (
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    code === "NoConnection" ||
    code === "ClosedAfterConnectText"
  )
    return new ConnectorError("tcp", `TCP: ${where} closed the connection (${detail})`, true, "tcp_closed", {
      ...at,
      detail,
    });
  if (TLS_CODES.has(code) || /certificate|self[- ]signed|altnames/i.test(detail)) {
    const [what, tlsCode]: [string, ConnectorErrorCode] =
      code === "ERR_TLS_CERT_ALTNAME_INVALID"
        ? [`the certificate is not for ${host}`, "tls_hostname"]
        : code === "CERT_HAS_EXPIRED"
          ? ["the certificate has expired", "tls_expired"]
          : /self[- ]signed/i.test(detail) || code.includes("SELF_SIGNED")
            ? ["the certificate is self-signed", "tls_self_signed"]
            : [detail, "tls_invalid"];
    return new ConnectorError(
      "tls",
      `TLS certificate of ${where}: ${what}; fix the host name, or allow an unverified certificate if you trust this server`,
      false,
      tlsCode,
      { ...at, detail: what },
    );
  }
  if (e.authenticationFailed || code === "EAUTH" || e.serverResponseCode === "AUTHENTICATIONFAILED")
    return new ConnectorError(
      "auth",
      `Authentication: ${where} refused the user name or password (${detail})`,
      false,
      "auth_failed",
      { ...at, detail },
    );
  const said = `${detail}${code ? ` (${code})` : ""}`;
  return new ConnectorError("protocol", `${where}: ${said}`, true, "protocol_error", { ...at, detail: said });
}
