import type { Socket } from "node:net";
import tls from "node:tls";
import { isAppError, type MessageMeta, mailboxChangesSince, type PublicUser } from "@madoguchi/core";
import { registry } from "../commands/registry";
import { bad, type Reply, type SessionState } from "../commands/types";
import { ArgReader } from "../protocol/args";
import { type Chunk, type Nested, paren } from "../protocol/encode";
import { CommandFramer, type FramerEvent, isValidTag, tagOf } from "../protocol/framer";
import {
  APPEND_LIMIT,
  AUTOLOGOUT_MS,
  IDLE_AUTOLOGOUT_MS,
  MAX_BAD_COMMANDS,
  MAX_QUEUED_COMMANDS,
  PREAUTH_TIMEOUT_MS,
} from "../protocol/limits";
import { formatSet } from "../protocol/sequence";
import { ParseError, tokenize } from "../protocol/tokens";
import type { ServerShared } from "./context";
import { Output } from "./output";
import type { MailboxView } from "./view";

let nextSessionId = 1;

/**
 * One IMAP connection: reads commands through the framer, runs them one at a time through the
 * registry, and keeps the selected folder's view. Commands live in ../commands, one per file.
 */
export class ImapSession {
  readonly id = nextSessionId++;
  state: SessionState = "notAuthenticated";
  user: PublicUser | null = null;
  selected: MailboxView | null = null;
  /** ENABLEd extensions (CONDSTORE, QRESYNC). */
  readonly enabled = new Set<string>();
  /** CONDSTORE turned on by use (SELECT (CONDSTORE), FETCH MODSEQ, …) as RFC 7162 §3.1 says. */
  condstore = false;
  /** SEARCHRES: UIDs saved by SEARCH RETURN (SAVE). */
  savedSearch: number[] | null = null;
  secure: boolean;
  readonly out: Output;
  readonly remoteAddress: string;
  /** Runs after the tagged reply is on the wire (STARTTLS switches the socket there). */
  afterReply: (() => void) | null = null;
  /** Set during IDLE: called when the selected inbox moved. */
  onNudge: (() => void) | null = null;

  private socket: Socket | tls.TLSSocket;
  private readonly framer: CommandFramer;
  private readonly queue: FramerEvent[] = [];
  private running = false;
  private lineWaiter: ((line: string | null) => void) | null = null;
  private badCommands = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private refreshChain: Promise<void> = Promise.resolve();
  private readonly onData = (chunk: Buffer) => this.framer.push(chunk);

  constructor(
    socket: Socket | tls.TLSSocket,
    readonly shared: ServerShared,
    options: { secure: boolean },
  ) {
    this.socket = socket;
    this.secure = options.secure;
    this.remoteAddress = socket.remoteAddress ?? "unknown";
    this.out = new Output(() => this.socket);
    this.framer = new CommandFramer({
      maxLiteralBytes: APPEND_LIMIT,
      onContinue: () => {
        void this.out.line(["+ Ready for literal data"]).then(() => this.out.flush());
      },
      onEvent: (event) => this.onEvent(event),
    });
    this.attach(socket);
    socket.on("close", () => this.cleanup());
    this.resetTimer();
  }

  private attach(socket: Socket | tls.TLSSocket): void {
    socket.on("data", this.onData);
    socket.on("error", () => this.cleanup());
  }

  async greet(): Promise<void> {
    await this.out.line([`* OK [CAPABILITY ${this.capabilities().join(" ")}] Madoguchi IMAP ready`]);
    await this.out.flush();
  }

  get userId(): number {
    if (!this.user) throw new Error("not authenticated");
    return this.user.id;
  }

  get ctx() {
    return this.shared.ctx;
  }

  /** May LOGIN/AUTHENTICATE be used now (only over TLS, RFC 8314 / LOGINDISABLED). */
  get authAllowed(): boolean {
    return this.secure || this.shared.allowInsecureAuth;
  }

  capabilities(): string[] {
    const caps = ["IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE"];
    if (this.state === "notAuthenticated") {
      if (!this.secure && this.shared.secureContext) caps.push("STARTTLS");
      caps.push(this.authAllowed ? "AUTH=PLAIN" : "LOGINDISABLED");
      return caps;
    }
    return [
      ...caps,
      "UIDPLUS",
      "MOVE",
      "UNSELECT",
      "SPECIAL-USE",
      "CHILDREN",
      "CONDSTORE",
      "QRESYNC",
      "ESEARCH",
      "SEARCHRES",
      `APPENDLIMIT=${APPEND_LIMIT}`,
      "STATUS=SIZE",
      "LIST-EXTENDED",
      "LIST-STATUS",
    ];
  }

  /** An untagged response line. */
  untagged(parts: Nested[]): Promise<void> {
    return this.out.line(["* ", ...parts]);
  }

  // --- input -------------------------------------------------------------------------------

  private onEvent(event: FramerEvent): void {
    if (this.closed) return;
    this.resetTimer();
    if (this.lineWaiter && event.kind === "frame" && event.frame.literals.length === 0) {
      const waiter = this.lineWaiter;
      this.lineWaiter = null;
      waiter((event.frame.lines[0] ?? Buffer.alloc(0)).toString("utf8"));
      return;
    }
    this.queue.push(event);
    if (this.queue.length >= MAX_QUEUED_COMMANDS) this.socket.pause();
    void this.pump();
  }

  /** The next raw line (AUTHENTICATE responses, IDLE's DONE); null if the connection closed. */
  waitLine(): Promise<string | null> {
    const head = this.queue[0];
    if (head?.kind === "frame" && head.frame.literals.length === 0) {
      this.queue.shift();
      return Promise.resolve((head.frame.lines[0] ?? Buffer.alloc(0)).toString("utf8"));
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.lineWaiter = resolve;
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length && !this.closed) {
        const event = this.queue.shift() as FramerEvent;
        if (this.queue.length < MAX_QUEUED_COMMANDS / 2 && this.socket.isPaused()) this.socket.resume();
        await this.run(event);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(event: FramerEvent): Promise<void> {
    if (event.kind === "tooBig") {
      const tag = event.tag ?? "*";
      if (event.what === "literal")
        await this.out.line([`${tag} NO [TOOBIG] Literal exceeds the ${APPEND_LIMIT} byte limit`]);
      else await this.replyBad(tag, bad("Command line too long", "TOOBIG"));
      await this.out.flush();
      return;
    }
    const firstLine = event.frame.lines[0];
    let tag = tagOf(firstLine) ?? "*";
    let reply: Reply;
    let name = "";
    try {
      const tokens = tokenize(event.frame);
      const tagToken = tokens[0];
      if (tagToken?.type !== "atom" || !isValidTag(tagToken.value)) {
        tag = "*";
        throw new ParseError("Missing or invalid tag");
      }
      tag = tagToken.value;
      const nameToken = tokens[1];
      if (nameToken?.type !== "atom") throw new ParseError("Missing command");
      name = nameToken.value.toUpperCase();
      let rest = tokens.slice(2);
      if (name === "UID") {
        const sub = tokens[2];
        if (sub?.type !== "atom") throw new ParseError("UID needs a command");
        name = `UID ${sub.value.toUpperCase()}`;
        rest = tokens.slice(3);
      }
      const cmd = registry.get(name);
      if (!cmd) throw new ParseError(`Unknown command ${name.slice(0, 30)}`);
      if (!cmd.states.includes(this.state)) {
        reply = bad(
          this.state === "notAuthenticated" ? "Log in first" : `${name} is not valid in this state`,
        );
      } else {
        const args = cmd.parse(new ArgReader(rest), this);
        // Changes already nudged are reported first, so the command works on the freshest view.
        if (this.state === "selected") await this.refresh(cmd.expungeSafe !== false, false);
        reply = await this.handle(cmd, args, tag);
        if (this.state === "selected" && !this.closed) await this.refresh(cmd.expungeSafe !== false, false);
      }
    } catch (err) {
      if (err instanceof ParseError) reply = bad(err.message, err.code);
      else {
        this.shared.log(`IMAP session ${this.id}: ${name} failed`, err);
        reply = { status: "NO", code: "SERVERBUG", text: "Internal error" };
      }
    }
    if (this.closed) return;
    if (reply.status === "BAD") {
      await this.replyBad(tag, reply);
    } else {
      await this.out.line([`${tag} ${reply.status} `, reply.code ? `[${reply.code}] ` : "", reply.text]);
    }
    await this.out.flush();
    const after = this.afterReply;
    this.afterReply = null;
    after?.();
    if (this.state === "logout") this.close();
  }

  private async handle(
    cmd: { handle: (s: ImapSession, a: never, t: string) => Promise<Reply> },
    args: unknown,
    tag: string,
  ): Promise<Reply> {
    try {
      return await cmd.handle(this, args as never, tag);
    } catch (err) {
      if (err instanceof ParseError) return bad(err.message, err.code);
      if (isAppError(err)) {
        switch (err.code) {
          case "NOT_FOUND":
            return { status: "NO", code: "NONEXISTENT", text: "No such mailbox or message" };
          case "FORBIDDEN":
            return { status: "NO", code: "NOPERM", text: err.message };
          case "CONFLICT":
            return { status: "NO", code: "CANNOT", text: err.message };
          case "INVALID_INPUT":
            return { status: "NO", code: "CANNOT", text: err.message };
          case "DATABASE_LOCKED":
            return { status: "NO", code: "UNAVAILABLE", text: "Try again later" };
          default:
            return { status: "NO", text: err.message };
        }
      }
      this.shared.log(`IMAP session ${this.id}: command failed`, err);
      return { status: "NO", code: "SERVERBUG", text: "Internal error; the command was not completed" };
    }
  }

  private async replyBad(tag: string, reply: Reply): Promise<void> {
    this.badCommands++;
    await this.out.line([`${tag} BAD `, reply.code ? `[${reply.code}] ` : "", reply.text]);
    if (this.badCommands >= MAX_BAD_COMMANDS) {
      await this.out.line(["* BYE Too many invalid commands"]);
      await this.out.flush();
      this.close();
    }
  }

  // --- selected folder -----------------------------------------------------------------------

  /** Makes `view` the selected folder (or none) and follows its inbox's change feed. */
  select(view: MailboxView | null): void {
    this.selected?.unsubscribe?.();
    this.selected = view;
    this.state = view ? "selected" : "authenticated";
    if (view) {
      view.unsubscribe = this.shared.feed.subscribe(view.info.inboxId, () => {
        view.dirty = true;
        this.onNudge?.();
      });
    }
  }

  /**
   * Reports other sessions' changes to the selected folder: expunges (when `allowExpunge`),
   * new messages, flag changes. Serialized, so IDLE pushes and command boundaries never
   * interleave. `force` reads the change log even without a nudge (NOOP, IDLE start).
   */
  refresh(allowExpunge: boolean, force: boolean): Promise<void> {
    const run = this.refreshChain.then(() => this.doRefresh(allowExpunge, force));
    this.refreshChain = run.catch((err) => this.shared.log(`IMAP session ${this.id}: refresh failed`, err));
    return run;
  }

  private async doRefresh(allowExpunge: boolean, force: boolean): Promise<void> {
    const view = this.selected;
    if (!view || this.closed) return;
    if (!force && !view.dirty) {
      if (allowExpunge && view.pendingExpunge.size) await this.announceExpunges(view.takeExpunges());
      return;
    }
    view.dirty = false;
    let changes: Awaited<ReturnType<typeof mailboxChangesSince>>;
    try {
      changes = await mailboxChangesSince(this.ctx, {
        userId: this.userId,
        mailboxId: view.info.id,
        sinceModseq: view.modseq,
      });
    } catch (err) {
      if (isAppError(err, "NOT_FOUND")) {
        // The folder was deleted, or our access to it removed: nothing sensible remains.
        await this.untagged(["BYE The selected mailbox is no longer available"]);
        await this.out.flush();
        this.close();
        return;
      }
      throw err;
    }
    if (this.selected !== view) return;
    const r = view.applyChanges(changes, allowExpunge);
    await this.announceExpunges(r.expunged);
    if (r.exists) await this.untagged([`${view.exists} EXISTS`]);
    for (const f of r.flags) await this.untagged([`${f.seq} FETCH `, this.flagsItems(f.meta, true)]);
  }

  /** EXPUNGE lines (highest sequence number first), or one VANISHED once QRESYNC is on. */
  async announceExpunges(expunged: { uid: number; seq: number }[]): Promise<void> {
    if (!expunged.length) return;
    if (this.enabled.has("QRESYNC")) {
      await this.untagged([`VANISHED ${formatSet(expunged.map((e) => e.uid))}`]);
      return;
    }
    for (const e of expunged) await this.untagged([`${e.seq} EXPUNGE`]);
  }

  /** `(UID n FLAGS (…) MODSEQ (m))` for unsolicited and STORE responses. */
  flagsItems(meta: MessageMeta, withUid: boolean): Chunk[] {
    const items: Nested[] = [];
    if (withUid) items.push(`UID ${meta.uid}`);
    items.push(`FLAGS (${meta.flags.join(" ")})`);
    if (this.condstore) items.push(`MODSEQ (${meta.modseq})`);
    return paren(items as Chunk[]);
  }

  // --- connection ----------------------------------------------------------------------------

  /** STARTTLS: from here on only bytes from inside TLS count. */
  upgradeToTls(): void {
    const context = this.shared.secureContext;
    if (!context) return;
    const plain = this.socket as Socket;
    plain.removeListener("data", this.onData);
    this.framer.reset();
    this.queue.length = 0;
    const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: context });
    this.socket = secure;
    this.secure = true;
    this.attach(secure);
  }

  resetTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    const ms =
      this.state === "notAuthenticated"
        ? PREAUTH_TIMEOUT_MS
        : this.onNudge
          ? IDLE_AUTOLOGOUT_MS
          : AUTOLOGOUT_MS;
    this.timer = setTimeout(() => {
      void this.out
        .line(["* BYE Autologout; idle for too long"])
        .then(() => this.out.flush())
        .finally(() => this.close());
    }, ms);
    this.timer.unref();
  }

  /** Ends the connection after what was written has been sent. */
  close(): void {
    if (this.closed) return;
    this.cleanup();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Server shutdown. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.untagged(["BYE Server shutting down"]);
    await this.out.flush();
    this.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.closed = this.socket.destroyed;
    if (this.timer) clearTimeout(this.timer);
    this.selected?.unsubscribe?.();
    this.onNudge = null;
    const waiter = this.lineWaiter;
    this.lineWaiter = null;
    waiter?.(null);
  }
}
