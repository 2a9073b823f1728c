import { listOutboundQueue, retryOutboundNow } from "@madoguchi/core";
import { type Command, UsageError } from "./command";
import { formatTable } from "./table";

/** Minutes are enough to read a queue by: "2026-11-29 09:05", in the machine's time zone. */
const formatMinute = (date: Date) => date.toLocaleString("sv-SE").slice(0, 16);

const list: Command = {
  path: ["queue", "list"],
  usage: "queue list",
  summary: "List outgoing mail not delivered yet, with the remote server's last answer (as mailq)",
  help: [
    "States: queued (waiting for its next attempt), sending (being delivered), held (waiting for",
    "the reply guard), failed (refused for good; the bounce is on its way to the sender).",
  ],
  positionals: 0,
  async run({ withCore }) {
    const entries = await withCore((ctx) => listOutboundQueue(ctx));
    if (!entries.length) {
      console.log("The queue is empty: every message has been delivered or bounced.");
      return 0;
    }
    console.log(
      formatTable(
        ["ID", "STATE", "QUEUED", "TRIES", "NEXT TRY", "FROM", "TO", "LAST ANSWER"],
        entries.map((e) => [
          String(e.id),
          e.state,
          formatMinute(e.queuedAt),
          String(e.attempts),
          e.state === "queued" ? formatMinute(e.nextAttemptAt) : "-",
          e.mailFrom || "<>",
          e.recipients.join(", "),
          (e.lastError ?? "").replace(/\s+/g, " "),
        ]),
      ),
    );
    return 0;
  },
};

const retry: Command = {
  path: ["queue", "retry"],
  usage: "queue retry <id>... | --all",
  summary: "Try queued mail again now instead of at its next backoff step (as postqueue -f / -i)",
  help: [
    "Ids are those of `queue list`. A running server sends them within seconds.",
    "Exit code 1 when a delivery given is not waiting for a retry (it is named, with why).",
  ],
  options: { all: { type: "boolean" } },
  positionals: [0, 1000],
  async run({ positionals, values, withCore }) {
    const all = values.all === true;
    if (all === positionals.length > 0)
      throw new UsageError("give the ids of deliveries to retry, or --all", retry);
    const ids = positionals.map((p) => {
      if (!/^[1-9]\d{0,15}$/.test(p)) throw new UsageError(`not a delivery id: ${p}`, retry);
      return Number(p);
    });
    const result = await withCore((ctx) => retryOutboundNow(ctx, all ? "all" : ids));
    if (result.due.length) console.log(`Due now: ${result.due.join(", ")}`);
    else if (all) console.log("Nothing is waiting for a retry.");
    for (const s of result.skipped) console.error(`madoguchi: ${s.id} not retried: ${s.reason}`);
    return result.skipped.length ? 1 : 0;
  },
};

export const queueCommands: Command[] = [list, retry];
