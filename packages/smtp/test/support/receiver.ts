import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { testTls } from "./smtp-env";

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  messageId: string;
  secure: boolean;
}

export interface ReceiverHooks {
  /** Return an Error with responseCode to refuse the recipient. */
  rcpt?(address: string): Error | undefined;
  /** Runs before the message is accepted; may delay or refuse it. */
  data?(raw: Buffer, messageId: string): Promise<Error | undefined>;
  /** Require AUTH PLAIN with these credentials (a smarthost). */
  auth?: { user: string; pass: string };
}

export interface Receiver {
  port: number;
  /** Messages answered with 250 while the client was still connected. */
  received: Received[];
  attempts: number;
  /** Sessions currently connected. */
  open: number;
  close(): Promise<void>;
}

export const refuse = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

/** Another domain's mail server, on 127.0.0.1, with STARTTLS; counts what it really accepted. */
export async function startReceiver(hooks: ReceiverHooks = {}): Promise<Receiver> {
  const tls = await testTls();
  const closed = new Set<string>();
  const received: Received[] = [];
  const state = { attempts: 0, open: 0 };
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    key: tls.key,
    cert: tls.cert,
    authOptional: !hooks.auth,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      if (auth.username === hooks.auth?.user && auth.password === hooks.auth?.pass)
        return callback(null, { user: auth.username });
      callback(refuse(535, "5.7.8 Bad credentials"));
    },
    onRcptTo(address, _session, callback) {
      callback(hooks.rcpt?.(address.address));
    },
    onConnect(_session, callback) {
      state.open++;
      callback();
    },
    onClose(session: SMTPServerSession) {
      closed.add(session.id);
      state.open--;
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        state.attempts++;
        const raw = Buffer.concat(chunks);
        const messageId = /^message-id:\s*<([^>]+)>/im.exec(raw.toString())?.[1] ?? "";
        const refused = await hooks.data?.(raw, messageId);
        if (refused) return callback(refused);
        if (!closed.has(session.id)) {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            messageId,
            secure: session.secure,
          });
        }
        callback();
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    get attempts() {
      return state.attempts;
    },
    get open() {
      return state.open;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
