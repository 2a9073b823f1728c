import type { MailboxInfo } from "@madoguchi/core";
import { decodeMutf7, encodeMutf7 } from "../protocol/mutf7";

/**
 * Namespace layout (see README): the user's own inbox is the personal namespace ("" with
 * INBOX, Sent, Drafts, … at the top); every shared inbox they are a member of is a subtree of
 * the shared namespace "Shared/<address>/": `Shared/info@example.co.jp/INBOX`, `…/Sent`, …
 */
export const DELIMITER = "/";
export const SHARED_ROOT = "Shared";

export interface NamedMailbox {
  /** Full name in Unicode, e.g. "Shared/info@example.co.jp/請求書". */
  name: string;
  /** On the wire: modified UTF-7. */
  wire: string;
  info: MailboxInfo;
}

export function nameOf(info: MailboxInfo): string {
  if (info.inboxKind === "personal") return info.name;
  return `${SHARED_ROOT}${DELIMITER}${info.inboxAddress}${DELIMITER}${info.name}`;
}

export function named(list: MailboxInfo[]): NamedMailbox[] {
  return list.map((info) => {
    const name = nameOf(info);
    return { name, wire: encodeMutf7(name), info };
  });
}

/** A client's mailbox argument → Unicode name with INBOX spelled canonically; undefined if not valid mUTF-7. */
export function canonicalName(wire: string): string | undefined {
  const decoded = decodeMutf7(wire);
  if (decoded === undefined) return undefined;
  const segments = decoded.split(DELIMITER);
  if (segments[0]?.toUpperCase() === "INBOX" && segments.length === 1) return "INBOX";
  if (segments[0] === SHARED_ROOT && segments.length === 3 && segments[2]?.toUpperCase() === "INBOX") {
    return `${SHARED_ROOT}${DELIMITER}${(segments[1] as string).toLowerCase()}${DELIMITER}INBOX`;
  }
  if (segments[0] === SHARED_ROOT && segments.length >= 2) {
    segments[1] = (segments[1] as string).toLowerCase();
    return segments.join(DELIMITER);
  }
  return decoded;
}

export function findByName(all: NamedMailbox[], wire: string): NamedMailbox | undefined {
  const name = canonicalName(wire);
  if (name === undefined) return undefined;
  return all.find((m) => canonical(m.name) === name);
}

function canonical(name: string): string {
  return canonicalName(encodeMutf7(name)) ?? name;
}

/** Where a new folder named `wire` would go: which inbox, and its name inside it. */
export function placeNew(
  all: NamedMailbox[],
  wire: string,
): { inboxId: number; folder: string } | { error: "invalid" | "noperm" } {
  const name = canonicalName(wire.endsWith(DELIMITER) ? wire.slice(0, -1) : wire);
  if (!name) return { error: "invalid" };
  const segments = name.split(DELIMITER);
  if (segments[0] === SHARED_ROOT) {
    const address = segments[1];
    const folder = segments.slice(2).join(DELIMITER);
    const inbox = all.find(
      (m) => m.info.inboxKind === "shared" && m.info.inboxAddress.toLowerCase() === address,
    );
    // A shared inbox the user is not in looks exactly like one that does not exist.
    if (!inbox || !folder) return { error: "noperm" };
    return { inboxId: inbox.info.inboxId, folder };
  }
  const personal = all.find((m) => m.info.inboxKind === "personal");
  if (!personal) return { error: "noperm" };
  return { inboxId: personal.info.inboxId, folder: name };
}

/**
 * Every name LIST may show: the folders, plus their parents that are not folders themselves
 * ("Shared", "Shared/info@example.co.jp", "Projects" of "Projects/2024"), which are \Noselect.
 */
export function withParents(all: NamedMailbox[]): { name: string; wire: string; box: NamedMailbox | null }[] {
  const real = new Map(all.map((m) => [m.name, m]));
  const out = new Map<string, { name: string; wire: string; box: NamedMailbox | null }>();
  for (const m of all) {
    const segments = m.name.split(DELIMITER);
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join(DELIMITER);
      if (!real.has(parent) && !out.has(parent))
        out.set(parent, { name: parent, wire: encodeMutf7(parent), box: null });
    }
    out.set(m.name, { name: m.name, wire: m.wire, box: m });
  }
  return [...out.values()];
}

export function hasChildren(allNames: string[], name: string): boolean {
  const prefix = `${name}${DELIMITER}`;
  return allNames.some((n) => n.startsWith(prefix));
}

/** LIST pattern (reference already joined) → matcher over wire names; INBOX matches case-insensitively. */
export function patternMatcher(pattern: string): (wire: string) => boolean {
  let re = "^";
  for (const ch of pattern) {
    if (ch === "*") re += ".*";
    else if (ch === "%") re += "[^/]*";
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  const exact = new RegExp(`${re}$`);
  const inboxRe = /^inbox$/i.test(pattern) ? /^INBOX$/ : null;
  return (wire) =>
    exact.test(wire) || inboxRe?.test(wire) || (wire === "INBOX" && new RegExp(`${re}$`, "i").test("INBOX"));
}
