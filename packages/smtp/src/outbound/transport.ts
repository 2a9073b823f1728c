import SMTPConnection from "nodemailer/lib/smtp-connection";
import { CONNECT_TIMEOUT_MS, GREETING_TIMEOUT_MS, REMOTE_SOCKET_TIMEOUT_MS } from "../limits";

/** One SMTP server to try: an address (already resolved by our resolver) and the name it goes by. */
export interface Target {
  /** IP address or host name to connect to. */
  address: string;
  port: number;
  /** The host's DNS name: TLS server name and Remote-MTA of the DSN. */
  hostName: string;
  /** Implicit TLS (smarthost on 465). */
  secure?: boolean;
  /** Refuse to send without STARTTLS (smarthost with a password). */
  requireTls?: boolean;
  /** Verify the certificate (smarthost); an MX's is not, see sendOnce. */
  verifyTls?: boolean;
  auth?: { user: string; pass: string };
}

/** What a server said about one recipient. */
export interface RecipientAnswer {
  code: number | null;
  status: string | null;
  response: string;
}

export type HostResult =
  /** The server gave a verdict for every recipient (2xx, 4xx or 5xx). */
  | { kind: "answered"; answers: Map<string, RecipientAnswer> }
  /** No SMTP verdict: connection refused, timed out, TLS failed, dropped: try the next host. */
  | { kind: "unreachable"; error: string };

const ENHANCED = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})/;

function answerOf(code: number | undefined, response: string | undefined): RecipientAnswer {
  const text = (response ?? "").trim();
  return { code: code ?? null, status: ENHANCED.exec(text)?.[1] ?? null, response: text };
}

/**
 * One SMTP transaction with one server (opportunistic STARTTLS: used when offered, since a
 * receiving MX's certificate rarely matches and is not verified without MTA-STS/DANE).
 * `signal` aborts it by closing the connection: nothing after that point is trusted.
 */
export async function sendOnce(
  target: Target,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  heloName: string,
  signal: AbortSignal,
): Promise<HostResult> {
  const connection = new SMTPConnection({
    host: target.address,
    port: target.port,
    secure: target.secure ?? false,
    requireTLS: target.requireTls ?? false,
    name: heloName,
    servername: target.hostName,
    tls: { rejectUnauthorized: target.verifyTls ?? false },
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: REMOTE_SOCKET_TIMEOUT_MS,
    logger: false,
  } as SMTPConnection.Options);
  const abort = () => connection.close();
  signal.addEventListener("abort", abort, { once: true });
  // Connection-level trouble (refused, reset, timeout) arrives as an 'error' or 'end' event,
  // not through the step callbacks: every step races against it.
  const broken = new Promise<SMTPConnection.SMTPError>((resolve) => {
    connection.once("error", resolve);
    connection.once("end", () =>
      resolve(Object.assign(new Error("connection closed"), { code: "ECONNCLOSED" })),
    );
  });
  connection.on("error", () => {});
  const step = <T>(run: (done: (value: T) => void) => void) =>
    Promise.race([new Promise<T>(run), broken.then((error) => ({ broken: error }))]);
  try {
    if (signal.aborted) return { kind: "unreachable", error: "aborted" };
    const connected = await step<SMTPConnection.SMTPError | undefined>((done) =>
      connection.connect((e) => done(e ?? undefined)),
    );
    // A refusal at the greeting (421, 554) is about this host, not the message: try the next one.
    if (isBroken(connected)) return { kind: "unreachable", error: describe(connected.broken) };
    if (connected) return { kind: "unreachable", error: describe(connected) };
    if (target.auth) {
      const auth = target.auth;
      const authError = await step<SMTPConnection.SMTPError | undefined>((done) =>
        connection.login(auth, (e) => done(e ?? undefined)),
      );
      if (isBroken(authError)) return { kind: "unreachable", error: describe(authError.broken) };
      if (authError) return failure(authError, envelope.to);
    }
    const sent = await step<[SMTPConnection.SMTPError | null, SMTPConnection.SentMessageInfo]>((done) =>
      connection.send({ from: envelope.from, to: envelope.to, size: raw.length }, raw, (e, i) =>
        done([e, i]),
      ),
    );
    if (signal.aborted) return { kind: "unreachable", error: "aborted" };
    // Dropped after DATA began: whether the server kept it is unknown; the retry may duplicate.
    if (isBroken(sent)) return { kind: "unreachable", error: describe(sent.broken) };
    const [error, info] = sent;
    if (error) return failure(error, envelope.to);
    const answers = new Map<string, RecipientAnswer>();
    for (const rcpt of info.accepted) answers.set(rcpt, answerOf(250, info.response));
    for (const rejected of info.rejectedErrors ?? []) {
      const rcpt = (rejected as { recipient?: string }).recipient;
      if (rcpt) answers.set(rcpt, answerOf(rejected.responseCode, rejected.response));
    }
    connection.quit();
    return { kind: "answered", answers };
  } finally {
    signal.removeEventListener("abort", abort);
    connection.close();
  }
}

function isBroken(value: unknown): value is { broken: SMTPConnection.SMTPError } {
  return typeof value === "object" && value !== null && "broken" in value;
}

/** A thrown error with a reply code is the server's verdict on the whole transaction. */
function failure(error: SMTPConnection.SMTPError, recipients: string[]): HostResult {
  const perRecipient = (error as { rejectedErrors?: SMTPConnection.SMTPError[] }).rejectedErrors;
  if (perRecipient?.length) {
    const answers = new Map<string, RecipientAnswer>();
    for (const r of perRecipient) {
      const rcpt = (r as { recipient?: string }).recipient;
      if (rcpt) answers.set(rcpt, answerOf(r.responseCode, r.response));
    }
    return { kind: "answered", answers };
  }
  if (error.responseCode && error.responseCode >= 400) {
    const answer = answerOf(error.responseCode, error.response);
    return { kind: "answered", answers: new Map(recipients.map((r) => [r, answer])) };
  }
  return { kind: "unreachable", error: describe(error) };
}

function describe(error: SMTPConnection.SMTPError): string {
  return error.response ? error.response.trim() : `${error.code ?? "ERROR"}: ${error.message}`;
}
