export * from "./changes";
export * from "./connector";
export * from "./conversations";
export * from "./directory";
export * from "./mailboxes";
export * from "./messages";
export * from "./outbound";
export * from "./web";
