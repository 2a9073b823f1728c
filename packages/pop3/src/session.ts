import type tls from "node:tls";
import { LINE_TOO_LONG, type LineConnection } from "./connection";
import { dispatch } from "./dispatch";
import { MAX_AUTH_FAILURES, MAX_BAD_COMMANDS } from "./limits";
import type { MaildropLocks } from "./locks";
import type { LoginName } from "./login-name";
import { MessageEncoder } from "./message-encoder";
import { err, formatReply, ok, type Reply } from "./replies";
import type { DropMessage, Maildrop, Pop3Store } from "./store";

/** RFC 1939 states; UPDATE lasts only while QUIT applies the deletions. */
export type SessionState = "AUTHORIZATION" | "TRANSACTION" | "UPDATE";

export interface SessionOptions {
  store: Pop3Store;
  hostname: string;
  /** Present when STLS may be offered (plain port with a certificate). */
  tlsContext?: tls.SecureContext;
  locks: MaildropLocks;
  onError: (error: unknown) => void;
}

/** One POP3 conversation: its state, the maildrop snapshot and the command loop. */
export class Pop3Session {
  state: SessionState = "AUTHORIZATION";
  /** Name given by USER, waiting for PASS. */
  pendingUser: string | undefined;
  /** Snapshot taken at login; message number n is messages[n - 1]. */
  drop: Maildrop | undefined;
  /** Message numbers marked by DELE, applied only at QUIT. */
  readonly deleted = new Set<number>();
  /** Set by a command that ends the session once its reply is written. */
  closing = false;
  private badCommands = 0;
  private authFailures = 0;
  private releaseLock: (() => void) | undefined;

  constructor(
    readonly conn: LineConnection,
    readonly options: SessionOptions,
  ) {}

  get secure(): boolean {
    return this.conn.secure;
  }

  get canStartTls(): boolean {
    return !this.conn.secure && this.options.tlsContext !== undefined;
  }

  async run(): Promise<void> {
    try {
      await this.send(ok(`${this.options.hostname} Madoguchi POP3 server ready`));
      while (!this.closing) {
        const line = await this.conn.nextLine();
        if (line === null) break;
        if (line === LINE_TOO_LONG) {
          await this.send(err("line too long, closing connection"));
          break;
        }
        await this.handleLine(line);
      }
    } catch (error) {
      this.options.onError(error);
    } finally {
      this.releaseLock?.();
      this.conn.end();
    }
  }

  async send(reply: Reply): Promise<void> {
    await this.conn.write(formatReply(reply));
  }

  /** A multi-line response: status line, byte-stuffed lines, terminating ".". */
  async sendLines(reply: Reply, lines: string[]): Promise<void> {
    const body = lines.map((l) => `${l.startsWith(".") ? "." : ""}${l}\r\n`).join("");
    await this.conn.write(`${formatReply(reply)}${body}.\r\n`);
  }

  /**
   * Streams a message (RETR) or its top (TOP) from the blob store. The first chunk is read
   * before "+OK" so a missing blob is still an ordinary -ERR; a failure after that can only
   * end the connection, since the client is in the middle of a multi-line response.
   */
  async sendMessage(status: Reply, message: DropMessage, bodyLines?: number): Promise<boolean> {
    const source = this.options.store.stream(message.blobHash);
    const chunks = source[Symbol.asyncIterator]();
    try {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        this.options.onError(error);
        await this.send(err("message is temporarily unavailable", "SYS/TEMP"));
        return false;
      }
      await this.send(status);
      const encoder = new MessageEncoder(bodyLines);
      try {
        while (!next.done && !encoder.done && !this.conn.closed) {
          await this.conn.write(encoder.push(next.value));
          if (encoder.done) break;
          next = await chunks.next();
        }
      } catch (error) {
        this.options.onError(error);
        this.closing = true;
        this.conn.destroy();
        return false;
      }
      await this.conn.write(Buffer.concat([encoder.end(), Buffer.from(".\r\n")]));
      // A client that went away mid-message did not get it (and must not count it as read).
      return !this.conn.closed;
    } finally {
      source.destroy();
    }
  }

  /** Checks credentials and opens the maildrop; every refusal of a name or password looks the same. */
  async logIn(name: LoginName | undefined, password: string): Promise<Reply> {
    const result = name
      ? await this.options.store.open({ ...name, password, remoteAddress: this.conn.remoteAddress })
      : ({ ok: false, reason: "invalid" } as const);
    if (!result.ok) {
      if (++this.authFailures >= MAX_AUTH_FAILURES) this.closing = true;
      if (result.reason === "locked") {
        const wait = result.retryAfterSeconds;
        return err(`too many failed logins from your address; try again in ${wait} seconds`, "SYS/TEMP");
      }
      return err("invalid user name, password or maildrop", "AUTH");
    }
    const { drop } = result;
    const release = this.options.locks.acquire(drop.userId, drop.mailboxId);
    if (!release) return err("maildrop is already in use by another session", "IN-USE");
    this.releaseLock = release;
    this.drop = drop;
    this.state = "TRANSACTION";
    const { count, size } = this.totals();
    return ok(`${drop.address} has ${count} messages (${size} octets)`);
  }

  /** Messages not marked deleted, with their numbers. */
  live(): Array<{ number: number; message: DropMessage }> {
    return (this.drop?.messages ?? [])
      .map((message, i) => ({ number: i + 1, message }))
      .filter((m) => !this.deleted.has(m.number));
  }

  totals(): { count: number; size: number } {
    const live = this.live();
    return { count: live.length, size: live.reduce((sum, m) => sum + m.message.size, 0) };
  }

  /** The message a client names by number, or the -ERR to answer. */
  message(arg: string): DropMessage | Reply {
    const number = Number(arg);
    const message = this.drop?.messages[number - 1];
    if (!message || number < 1) return err("no such message");
    if (this.deleted.has(number)) return err(`message ${number} already deleted`);
    return message;
  }

  uidl(message: DropMessage): string {
    // UIDVALIDITY changes only if the folder is recreated, so this is stable across sessions.
    return `${this.drop?.uidValidity ?? 0}.${message.uid}`;
  }

  private async handleLine(line: string): Promise<void> {
    let result: Awaited<ReturnType<typeof dispatch>>;
    try {
      result = await dispatch(this, line);
    } catch (error) {
      this.options.onError(error);
      result = { reply: err("temporary server failure, please try again", "SYS/TEMP"), bad: false };
    }
    // Consecutive, as Dovecot counts: a working client that errs now and then is not cut off.
    if (!result.bad && result.reply?.ok !== false) this.badCommands = 0;
    if (result.bad && ++this.badCommands >= MAX_BAD_COMMANDS) {
      this.closing = true;
      await this.send(
        err(`${result.reply?.text ?? "bad command"}; too many bad commands, closing connection`),
      );
      return;
    }
    if (result.reply) await this.send(result.reply);
  }
}
