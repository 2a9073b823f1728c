export * from "./dkim-keys";
export * from "./queue";
export * from "./retry";
