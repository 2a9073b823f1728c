export * from "./changes";
export * from "./conversations";
export * from "./directory";
export * from "./mailboxes";
export * from "./messages";
export * from "./outbound";
export * from "./web";
