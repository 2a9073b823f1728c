/**
 * Values the server defines too (packages/api: CSRF_HEADER, TRPC_PATH, REALTIME_PATH; packages/core:
 * SCHEDULED_AFTER_MS). They
 * are copied, not imported, so the browser bundle never pulls server modules in;
 * apps/web/test/api-constants.test.ts fails if the two ever differ.
 */
export const CSRF_HEADER = "x-madoguchi-csrf";
export const TRPC_URL = "/api/trpc";
export const REALTIME_PATH = "/socket.io";
export const REALTIME_PROTOCOL_VERSION = 1;
/** A send held longer than this from now is a 送信予約, not an undo window running out. */
export const SCHEDULED_AFTER_MS = 60_000;

/** Whether a send held until `sendAt` (ms since the epoch, or ISO) is a 送信予約. */
export const isScheduled = (sendAt: number | string, now = Date.now()): boolean =>
  (typeof sendAt === "string" ? Date.parse(sendAt) : sendAt) - now > SCHEDULED_AFTER_MS;
