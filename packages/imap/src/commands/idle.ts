import { AUTHED, bad, command, no, ok } from "./types";

/**
 * IDLE (RFC 2177): changes to the selected folder, from any session or the web app, are
 * pushed as they are committed (the change feed nudges, the session reads the change log).
 */
export const idle = command({
  name: "IDLE",
  states: AUTHED,
  parse: (args) => args.end(),
  async handle(session) {
    await session.out.line(["+ idling"]);
    await session.out.flush();
    if (session.selected) {
      session.onNudge = () => {
        void session.refresh(true, false).then(() => session.out.flush());
      };
      session.resetTimer();
      await session.refresh(true, true);
      await session.out.flush();
    }
    const line = await session.waitLine();
    session.onNudge = null;
    session.resetTimer();
    if (line === null) return no("Connection closed");
    if (line.trim().toUpperCase() !== "DONE") return bad("Expected DONE");
    return ok("IDLE terminated");
  },
});
