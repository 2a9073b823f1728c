#!/usr/bin/env node
// The admin CLI and server entry point. Sources are TypeScript run directly (no build step),
// so tsx is registered before the first .ts import.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Normally every handle is closed by now and Node exits on its own, after stdout is flushed.
// If a library left something open, do not hang: this unref'd timer only fires in that case.
setTimeout(() => process.exit(code), 2000).unref();
