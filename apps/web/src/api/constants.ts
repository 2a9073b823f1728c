/**
 * Values the server defines too (packages/api: CSRF_HEADER, TRPC_PATH, REALTIME_PATH). They
 * are copied, not imported, so the browser bundle never pulls server modules in;
 * apps/web/test/api-constants.test.ts fails if the two ever differ.
 */
export const CSRF_HEADER = "x-madoguchi-csrf";
export const TRPC_URL = "/api/trpc";
export const REALTIME_PATH = "/socket.io";
export const REALTIME_PROTOCOL_VERSION = 1;
