export * from "./addresses";
export * from "./domains";
export * from "./inboxes";
export * from "./users";
