import { describe, expect, it } from "vitest";
import { ConnectorError, codedFacts, errorRecord, explainConnectError } from "../src/diagnostics";

// What imapflow, nodemailer and node:tls throw, as they throw it, becomes a step, a code for the
// web page and an English message for the CLI; the code is stored with the message.
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
      // The stored last error: this message, with the same code and facts, and the failed job.
      expect(errorRecord(e)).toEqual({ message: e.message, code, params, context: null });
      expect(errorRecord(e, "sentCopy")).toEqual({ message: e.message, code, params, context: "sentCopy" });
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

describe("ConnectorError without a code", () => {
  it("is unclassified, so the page shows its English message rather than a template missing facts", () => {
    const e = new ConnectorError("protocol", "Database is gone", true);
    expect({ code: e.code, params: e.params }).toEqual({
      code: "unclassified",
      params: { detail: "Database is gone" },
    });
    // Stored and shown in a connection test with code null: the page shows the message.
    expect(codedFacts(e)).toEqual({ code: null, params: { detail: "Database is gone" } });
    expect(errorRecord(e, "sending")).toEqual({
      message: "Database is gone",
      code: null,
      params: { detail: "Database is gone" },
      context: "sending",
    });
  });
});
