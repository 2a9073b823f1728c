import { expunge } from "@madoguchi/core";
import { command, ok, SELECTED } from "./types";

/** CLOSE: removes \Deleted messages silently (read-write only), then leaves the folder. */
export const close = command({
  name: "CLOSE",
  states: SELECTED,
  parse: (args) => args.end(),
  async handle(session) {
    const view = session.selected;
    if (view && !view.readOnly)
      await expunge(session.ctx, { userId: session.userId, mailboxId: view.info.id });
    session.select(null);
    return ok("CLOSE completed");
  },
});

export const unselect = command({
  name: "UNSELECT",
  states: SELECTED,
  parse: (args) => args.end(),
  async handle(session) {
    session.select(null);
    return ok("UNSELECT completed");
  },
});
