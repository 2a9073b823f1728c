export * from "./addresses";
export * from "./aliases";
export * from "./domains";
export * from "./inboxes";
export * from "./users";
