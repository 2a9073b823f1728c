export * from "./dkim-keys";
export * from "./queue";
export * from "./queue-admin";
export * from "./retry";
