import type { Readable } from "node:stream";
import {
  hideForUser,
  type LoginContext,
  listMailboxes,
  listMessages,
  login,
  storeFlags,
} from "@madoguchi/core";

/** One message of a POP3 snapshot. */
export interface DropMessage {
  uid: number;
  size: number;
  blobHash: string;
  seen: boolean;
}

/** The maildrop a session works on: one INBOX as one user sees it at login. */
export interface Maildrop {
  userId: number;
  mailboxId: number;
  /** Address of the inbox (the user's own or a shared one), for log lines and greetings. */
  address: string;
  uidValidity: number;
  messages: DropMessage[];
}

export type OpenResult =
  | { ok: true; drop: Maildrop }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAfterSeconds: number };

/**
 * What the POP3 commands need from the domain, and nothing more. The production
 * implementation is `coreStore` over packages/core; tests may wrap it to inject failures.
 */
export interface Pop3Store {
  /** Checks the password and opens the maildrop; unknown user, wrong password and no access look alike. */
  open(input: {
    email: string;
    password: string;
    maildrop?: string;
    remoteAddress: string;
  }): Promise<OpenResult>;
  stream(blobHash: string): Readable;
  markSeen(drop: Maildrop, uid: number): Promise<void>;
  /** The UPDATE state: DELE'd messages disappear from this user's POP3 view. */
  hide(drop: Maildrop, uids: number[]): Promise<void>;
}

export function coreStore(ctx: LoginContext): Pop3Store {
  return {
    async open(input) {
      const result = await login(ctx, {
        email: input.email,
        password: input.password,
        remoteAddress: input.remoteAddress,
        protocol: "pop3",
      });
      if (!result.ok) return result;
      const address = (input.maildrop ?? result.user.email).toLowerCase();
      // listMailboxes holds only inboxes the user is a member of, so a guessed address of
      // someone else's inbox is simply not found: the same answer as a wrong password.
      const inbox = (await listMailboxes(ctx, result.user.id)).find(
        (m) => m.name === "INBOX" && m.inboxAddress.toLowerCase() === address,
      );
      if (!inbox) return { ok: false, reason: "invalid" };
      const metas = await listMessages(ctx, { userId: result.user.id, mailboxId: inbox.id });
      return {
        ok: true,
        drop: {
          userId: result.user.id,
          mailboxId: inbox.id,
          address: inbox.inboxAddress,
          uidValidity: inbox.uidValidity,
          messages: metas
            .filter((m) => !m.hidden)
            .map((m) => ({
              uid: m.uid,
              size: m.size,
              blobHash: m.blobHash,
              seen: m.flags.includes("\\Seen"),
            })),
        },
      };
    },
    stream: (blobHash) => ctx.blobs.stream(blobHash),
    async markSeen(drop, uid) {
      await storeFlags(ctx, {
        userId: drop.userId,
        mailboxId: drop.mailboxId,
        uids: [uid],
        mode: "add",
        flags: ["\\Seen"],
      });
    },
    async hide(drop, uids) {
      await hideForUser(ctx, { userId: drop.userId, mailboxId: drop.mailboxId, uids });
    },
  };
}
