// npm run bench [-- <name> …]: runs the named benchmarks (all when none is named) and prints their tables.
import { connectorBench } from "./connector";
import { imapBench } from "./imap";
import { ingestBench } from "./ingest";
import { smtpBench } from "./smtp";
import { smtpLoadBench } from "./smtp-load";
import { smtpSoakBench } from "./smtp-soak";
import { webBench } from "./web";

const benches: Record<string, () => Promise<void>> = {
  ingest: ingestBench,
  connector: connectorBench,
  imap: imapBench,
  smtp: smtpBench,
  "smtp-load": smtpLoadBench,
  "smtp-soak": smtpSoakBench,
  web: webBench,
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!benches[name]) {
    console.error(`Unknown benchmark "${name}". Known: ${Object.keys(benches).join(", ")}`);
    process.exit(2);
  }
}
// The soak runs for many minutes: only when asked for by name.
const onlyByName = new Set(["smtp-soak"]);
for (const name of wanted.length ? wanted : Object.keys(benches).filter((n) => !onlyByName.has(n))) {
  await benches[name]?.();
}
