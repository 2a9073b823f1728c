export * from "./events";
export * from "./protocol";
export { attachRealtime, DEFAULT_PRESENCE_TTL_MS, DEFAULT_RECHECK_MS, type RunningRealtime } from "./server";
