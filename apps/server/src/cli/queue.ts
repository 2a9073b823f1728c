import { cancelOutbound, listOutboundQueue, retryOutboundNow } from "@madoguchi/core";
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
    const { entries } = await withCore((ctx) => listOutboundQueue(ctx));
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
    const ids = deliveryIds(positionals, retry);
    const result = await withCore((ctx) => retryOutboundNow(ctx, all ? "all" : ids));
    if (result.due.length) console.log(`Due now: ${result.due.join(", ")}`);
    else if (all) console.log("Nothing is waiting for a retry.");
    for (const s of result.skipped) console.error(`madoguchi: ${s.id} not retried: ${s.reason}`);
    return result.skipped.length ? 1 : 0;
  },
};

/** Ids of `queue list`, or a usage error naming the first that is not one. */
function deliveryIds(positionals: string[], command: Command): number[] {
  return positionals.map((p) => {
    if (!/^[1-9]\d{0,15}$/.test(p)) throw new UsageError(`not a delivery id: ${p}`, command);
    return Number(p);
  });
}

const cancel: Command = {
  path: ["queue", "cancel"],
  usage: "queue cancel <id>...",
  summary:
    "Give up on queued mail now: the sender gets the bounce at once, saying an administrator stopped it",
  help: [
    "For mail that will never get through (a mistyped domain), instead of days of retries. The",
    "bounce lands in the message's conversation, with the remote server's last answer.",
    "Exit code 1 when a delivery given is not queued (it is named, with why).",
  ],
  positionals: [1, 1000],
  async run({ positionals, withCore }) {
    const result = await withCore((ctx) => cancelOutbound(ctx, deliveryIds(positionals, cancel)));
    if (result.cancelled.length)
      console.log(`Cancelled: ${result.cancelled.join(", ")} (each sender gets a bounce)`);
    for (const s of result.skipped) console.error(`madoguchi: ${s.id} not cancelled: ${s.reason}`);
    return result.skipped.length ? 1 : 0;
  },
};

export const queueCommands: Command[] = [list, retry, cancel];
