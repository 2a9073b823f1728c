// Worker threads do not inherit the main thread's TypeScript loader: register it, then load the
// worker's module (its URL in workerData.module).
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.module);
