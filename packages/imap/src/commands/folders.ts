import { createFolder, deleteFolder, isAppError, renameFolder } from "@madoguchi/core";
import { findMailbox, visibleMailboxes } from "../session/mailboxes";
import { DELIMITER, placeNew, SHARED_ROOT } from "../session/namespace";
import { AUTHED, command, no, ok } from "./types";

const nameArg = command({
  name: "",
  states: AUTHED,
  parse(args) {
    const name = args.astring("mailbox");
    args.end();
    return name;
  },
  handle: async () => ok(""),
});

export const create = command({
  name: "CREATE",
  states: AUTHED,
  parse: nameArg.parse,
  async handle(session, wire) {
    const all = await visibleMailboxes(session);
    const place = placeNew(all, wire);
    if ("error" in place)
      return place.error === "invalid"
        ? no("Invalid mailbox name", "CANNOT")
        : no("Cannot create a mailbox there", "NOPERM");
    if (place.folder.split(DELIMITER)[0] === SHARED_ROOT)
      return no(`${SHARED_ROOT} is reserved for shared inboxes`, "CANNOT");
    try {
      await createFolder(session.ctx, { userId: session.userId, inboxId: place.inboxId, name: place.folder });
    } catch (err) {
      if (isAppError(err, "CONFLICT")) return no("Mailbox already exists", "ALREADYEXISTS");
      throw err;
    }
    return ok("CREATE completed");
  },
});

export const deleteCmd = command({
  name: "DELETE",
  states: AUTHED,
  parse: nameArg.parse,
  async handle(session, wire) {
    const box = await findMailbox(session, wire);
    if (!box) return no("No such mailbox", "NONEXISTENT");
    if (box.info.specialUse) return no("Standard folders cannot be deleted", "CANNOT");
    if (session.selected?.info.id === box.info.id) session.select(null);
    try {
      await deleteFolder(session.ctx, { userId: session.userId, mailboxId: box.info.id });
    } catch (err) {
      if (isAppError(err, "CONFLICT")) return no(err.message, "INUSE");
      throw err;
    }
    return ok("DELETE completed");
  },
});

export const rename = command({
  name: "RENAME",
  states: AUTHED,
  parse(args) {
    const from = args.astring("mailbox");
    const to = args.astring("new name");
    args.end();
    return { from, to };
  },
  async handle(session, { from, to }) {
    const all = await visibleMailboxes(session);
    const box = await findMailbox(session, from);
    if (!box) return no("No such mailbox", "NONEXISTENT");
    // Renaming INBOX is permitted by RFC 3501 (it moves the messages) but not by this implementation.
    if (box.info.specialUse) return no("Standard folders cannot be renamed", "CANNOT");
    const place = placeNew(all, to);
    if ("error" in place)
      return no("Cannot rename to that name", place.error === "invalid" ? "CANNOT" : "NOPERM");
    if (place.inboxId !== box.info.inboxId) return no("Folders cannot move between inboxes", "CANNOT");
    try {
      await renameFolder(session.ctx, {
        userId: session.userId,
        mailboxId: box.info.id,
        newName: place.folder,
      });
    } catch (err) {
      if (isAppError(err, "CONFLICT")) return no("Mailbox already exists", "ALREADYEXISTS");
      throw err;
    }
    return ok("RENAME completed");
  },
});

/** Every folder counts as subscribed (README): SUBSCRIBE succeeds, UNSUBSCRIBE changes nothing. */
export const subscribe = command({
  name: "SUBSCRIBE",
  states: AUTHED,
  parse: nameArg.parse,
  async handle(session, wire) {
    if (!(await findMailbox(session, wire))) return no("No such mailbox", "NONEXISTENT");
    return ok("SUBSCRIBE completed");
  },
});

export const unsubscribe = command({
  name: "UNSUBSCRIBE",
  states: AUTHED,
  parse: nameArg.parse,
  handle: async () => ok("UNSUBSCRIBE completed; every folder stays listed"),
});
