import { cancelOutbound, listOutboundQueue, queueDomain, retryOutboundNow } from "@madoguchi/core";
import { type Command, type OptionValue, UsageError } from "./command";
import { formatTable } from "./table";

/** Minutes are enough to read a queue by: "2026-11-29 09:05", in the machine's time zone. */
const formatMinute = (date: Date) => date.toLocaleString("sv-SE").slice(0, 16);

const list: Command = {
  path: ["queue", "list"],
  usage: "queue list [--domain <domain>]",
  summary: "List outgoing mail not delivered yet, with the remote server's last answer (as mailq)",
  help: [
    "States: queued (waiting for its next attempt), sending (being delivered), held (waiting for",
    "the reply guard), failed (refused for good; the bounce is on its way to the sender).",
    "--domain lists only mail to that recipient domain; the last line counts mail per domain.",
  ],
  options: { domain: { type: "string" } },
  positionals: 0,
  async run({ values, withCore }) {
    const domain = domainOption(values.domain, list);
    const { entries, domains } = await withCore((ctx) => listOutboundQueue(ctx, { domain }));
    if (!entries.length) {
      console.log(
        domain === undefined
          ? "The queue is empty: every message has been delivered or bounced."
          : `Nothing for ${domain} in the queue.`,
      );
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
    if (domain === undefined)
      console.log(`\nBy domain: ${domains.map((d) => `${d.domain} ${d.count}`).join(", ")}`);
    return 0;
  },
};

const retry: Command = {
  path: ["queue", "retry"],
  usage: "queue retry <id>... | --all | --domain <domain>",
  summary: "Try queued mail again now instead of at its next backoff step (as postqueue -f / -i / -s)",
  help: [
    "Ids are those of `queue list`; --domain retries all mail to that recipient domain, for",
    "when its server is back. A running server sends them within seconds.",
    "Exit code 1 when a delivery given is not waiting for a retry (it is named, with why).",
  ],
  options: { all: { type: "boolean" }, domain: { type: "string" } },
  positionals: [0, 1000],
  async run({ positionals, values, withCore }) {
    const all = values.all === true;
    const domain = domainOption(values.domain, retry);
    if ([all, domain !== undefined, positionals.length > 0].filter(Boolean).length !== 1)
      throw new UsageError("give the ids of deliveries to retry, --all or --domain", retry);
    const ids = deliveryIds(positionals, retry);
    const which = all ? "all" : domain !== undefined ? { domain } : ids;
    const result = await withCore((ctx) => retryOutboundNow(ctx, which));
    if (result.due.length) console.log(`Due now: ${result.due.join(", ")}`);
    else if (all) console.log("Nothing is waiting for a retry.");
    else if (domain !== undefined) console.log(`Nothing for ${domain} is waiting for a retry.`);
    for (const s of result.skipped) console.error(`madoguchi: ${s.id} not retried: ${s.reason}`);
    return result.skipped.length ? 1 : 0;
  },
};

/** --domain as the queue keeps domains (lower case, no "@"), or undefined when not given. */
function domainOption(value: OptionValue, command: Command): string | undefined {
  if (value === undefined) return undefined;
  const domain = typeof value === "string" ? queueDomain(value) : "";
  if (!/^[^\s@]+$/.test(domain)) throw new UsageError(`not a domain: ${String(value)}`, command);
  return domain;
}

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
