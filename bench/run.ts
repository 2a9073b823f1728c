// npm run bench [-- <name> …]: runs the named benchmarks (all when none is named) and prints their tables.
import { connectorBench } from "./connector";
import { imapBench } from "./imap";
import { ingestBench } from "./ingest";
import { smtpBench } from "./smtp";
import { webBench } from "./web";

const benches: Record<string, () => Promise<void>> = {
  ingest: ingestBench,
  connector: connectorBench,
  imap: imapBench,
  smtp: smtpBench,
  web: webBench,
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!benches[name]) {
    console.error(`Unknown benchmark "${name}". Known: ${Object.keys(benches).join(", ")}`);
    process.exit(2);
  }
}
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  await benches[name]?.();
}
