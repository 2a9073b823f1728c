export * from "./auto-reply";
export * from "./dkim-keys";
export * from "./queue";
export * from "./queue-admin";
export * from "./retry";
export { SEND_LIMIT_PER_HOUR } from "./send-limit";
