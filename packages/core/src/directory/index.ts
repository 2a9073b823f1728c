export * from "./addresses";
export * from "./aliases";
export * from "./business-hours";
export * from "./domains";
export * from "./inboxes";
export * from "./users";
