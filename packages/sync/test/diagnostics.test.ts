import { describe, expect, it } from "vitest";
import { classifyConnectorError } from "../../api/src/router/connector-errors";
import { ConnectorError, explainConnectError } from "../src/diagnostics";

// What imapflow, nodemailer and node:tls throw, as they throw it, becomes a step, a code for the
// web page and an English message for the CLI; a stored message reads back to the same code.
const sys = (code: string, message = code) => Object.assign(new Error(message), { code });
const HOST = "imap.example.jp";
const AT = { service: "IMAP", host: HOST, port: 993 };

describe("explainConnectError: codes and parameters", () => {
  const cases: [string, unknown, string, string, Record<string, string | number>][] = [
    ["DNS", sys("ENOTFOUND"), "dns", "dns_not_found", { host: HOST, reason: "ENOTFOUND" }],
    ["DNS, temporary", sys("EAI_AGAIN"), "dns", "dns_not_found", { host: HOST, reason: "EAI_AGAIN" }],
    ["refused", sys("ECONNREFUSED"), "tcp", "tcp_refused", AT],
    [
      "refused, wrapped by nodemailer",
      sys("ESOCKET", "connect ECONNREFUSED 192.0.2.1:993"),
      "tcp",
      "tcp_refused",
      AT,
    ],
    ["timeout", sys("ETIMEDOUT", "Connection timed out"), "tcp", "tcp_timeout", AT],
    ["imapflow timeout", sys("CONNECT_TIMEOUT"), "tcp", "tcp_timeout", AT],
    [
      "reset",
      sys("ECONNRESET", "read ECONNRESET"),
      "tcp",
      "tcp_closed",
      { ...AT, detail: "read ECONNRESET" },
    ],
    [
      "certificate for another host",
      sys("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames"),
      "tls",
      "tls_hostname",
      { ...AT, detail: `the certificate is not for ${HOST}` },
    ],
    [
      "expired",
      sys("CERT_HAS_EXPIRED", "certificate has expired"),
      "tls",
      "tls_expired",
      { ...AT, detail: "the certificate has expired" },
    ],
    [
      "self-signed",
      sys("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"),
      "tls",
      "tls_self_signed",
      { ...AT, detail: "the certificate is self-signed" },
    ],
    [
      "unknown issuer",
      sys("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate"),
      "tls",
      "tls_invalid",
      { ...AT, detail: "unable to get local issuer certificate" },
    ],
    [
      "imapflow login",
      Object.assign(new Error("Command failed"), {
        authenticationFailed: true,
        responseText: "Authentication failed.",
      }),
      "auth",
      "auth_failed",
      { ...AT, detail: "Authentication failed." },
    ],
    [
      "nodemailer login",
      sys("EAUTH", "Invalid login: 535 5.7.8 Error: authentication failed"),
      "auth",
      "auth_failed",
      { ...AT, detail: "Invalid login: 535 5.7.8 Error: authentication failed" },
    ],
    [
      "anything else",
      new Error("Unexpected BYE"),
      "protocol",
      "protocol_error",
      { ...AT, detail: "Unexpected BYE" },
    ],
  ];

  for (const [name, err, step, code, params] of cases)
    it(`${name} → ${code}`, () => {
      const e = explainConnectError(err, "IMAP", HOST, 993);
      expect({ step: e.step, code: e.code, params: e.params }).toEqual({ step, code, params });
      // The stored last error is this message; read back, it gives the same code and facts.
      expect(classifyConnectorError(e.message)).toEqual({ context: null, code, params });
      expect(classifyConnectorError(`Sent copy: ${e.message}`)).toEqual({
        context: "sentCopy",
        code,
        params,
      });
    });

  it("keeps a ConnectorError as it is", () => {
    const e = new ConnectorError(
      "folder",
      "Folder Archive does not exist on x; the others are synced",
      false,
    );
    expect(explainConnectError(e, "IMAP", HOST, 993)).toBe(e);
  });
});

describe("classifyConnectorError: the stored texts the sync writes", () => {
  it("reads the sync's own messages and the sending prefixes", () => {
    expect(
      classifyConnectorError(
        "Folder 送信済み, Archive does not exist on imap.example.jp; the others are synced",
      ),
    ).toEqual({
      context: null,
      code: "folder_missing_sync",
      params: { folders: "送信済み, Archive", host: "imap.example.jp" },
    });
    expect(classifyConnectorError("The connection was closed")).toEqual({
      context: null,
      code: "connection_closed",
      params: {},
    });
    expect(
      classifyConnectorError("The provider refused to mark mail as read (\\Seen) in INBOX; it is retried"),
    ).toEqual({ context: null, code: "seen_refused", params: { folder: "INBOX" } });
    expect(
      classifyConnectorError(
        "Sending: TCP: SMTP smtp.example.jp:587 refused the connection; is the port right?",
      ),
    ).toEqual({
      context: "sending",
      code: "tcp_refused",
      params: { service: "SMTP", host: "smtp.example.jp", port: 587 },
    });
  });

  it("leaves a text it does not know uncoded, with the text as the detail", () => {
    expect(classifyConnectorError("Sending: 550 5.7.1 Relaying denied")).toEqual({
      context: "sending",
      code: null,
      params: { detail: "550 5.7.1 Relaying denied" },
    });
    expect(classifyConnectorError("something odd")).toEqual({
      context: null,
      code: null,
      params: { detail: "something odd" },
    });
  });
});

describe("ConnectorError without a code", () => {
  it("is unclassified, so the page shows its English message rather than a template missing facts", () => {
    const e = new ConnectorError("tcp", "The connection was closed", true);
    expect({ code: e.code, params: e.params }).toEqual({
      code: "unclassified",
      params: { detail: "The connection was closed" },
    });
  });
});
