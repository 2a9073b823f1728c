import { isIP } from "node:net";
import type { ServerConfig } from "../env";
import { firstStartMessage } from "../first-start";
import type { RunningServer } from "../server";
import { version } from "../version";
import type { Command } from "./command";

/** A shutdown that takes longer than this is abandoned (exit 1) rather than hanging a deploy. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

export const startCommand: Command = {
  path: ["start"],
  usage: "start",
  summary: "Run the server (web app, and SMTP/IMAP/POP3 once built) until Ctrl+C or SIGTERM",
  help: ["Configured by environment variables; see README.md (Configuration)."],
  positionals: 0,
  async run({ config }) {
    // Listen before anything is printed: a supervisor (or a test) that signals as soon as it
    // reads the banner must get a clean stop, not Node's default kill.
    const signalled = firstSignal();
    // Loaded here, not with the CLI: the admin commands run without the servers' code.
    const { startServer } = await import("../server");
    const server = await startServer(config);
    // Since the process began: tsx, imports, database boot and migrations all count.
    printBanner(server, config, process.uptime() * 1000);
    return stopOn(await signalled, server);
  },
};

function printBanner(server: RunningServer, config: ServerConfig, ms: number): void {
  const lines = [
    `Madoguchi ${version} started in ${(ms / 1000).toFixed(1)} s; database: ${server.core.databaseLabel}; blobs: ${config.blobsDir}`,
    `  Log in   ${loginUrl(config, server.http.port)}`,
  ];
  if (server.core.blobsMoved)
    lines.push(`  Blobs    ${server.core.blobsMoved} moved to the store's one-level layout (done once)`);
  for (const p of server.protocols) {
    const detail =
      p.state === "running" ? p.listeners.map((l) => `${l.address} (${l.name})`).join(", ") : p.hint;
    lines.push(`  ${p.label.padEnd(8)} ${detail}`);
  }
  if (server.protocols.some((p) => p.state === "running")) {
    const kind = server.tls.selfSigned ? "self-signed certificate" : "certificate";
    lines.push(`  TLS      ${kind}, SHA-256 fingerprint ${server.tls.fingerprint256}`);
  }
  lines.push(...firstStartMessage(server.firstStart, server.core.db.driver === "postgres"));
  lines.push("", "Stop with Ctrl+C.");
  console.log(lines.join("\n"));
}

/** Where a person on this machine or the network reaches the web app. */
function loginUrl(config: ServerConfig, port: number): string {
  const allInterfaces = config.bind === "0.0.0.0" || config.bind === "::";
  const host = allInterfaces ? config.hostname : config.bind;
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}/`;
}

/**
 * The first SIGINT or SIGTERM. Both handlers go once it came: a second Ctrl+C then takes Node's
 * default action and kills the process; the embedded database's lock names a dead process and
 * is taken over at the next start.
 */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** Stops the server and resolves with the exit code. */
function stopOn(signal: NodeJS.Signals, server: RunningServer): Promise<number> {
  console.log(`\n${signal}: stopping…`);
  return new Promise((resolve) => {
    const timeout = setTimeout(() => {
      console.error(`madoguchi: shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s; exiting anyway`);
      resolve(1);
    }, SHUTDOWN_TIMEOUT_MS);
    server.stop().then(
      () => {
        clearTimeout(timeout);
        console.log("Stopped.");
        resolve(0);
      },
      (err: unknown) => {
        clearTimeout(timeout);
        console.error(`madoguchi: error while stopping: ${err instanceof Error ? err.message : err}`);
        resolve(1);
      },
    );
  });
}
