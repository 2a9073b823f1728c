export * from "./authz";
export * from "./changelog";
export * from "./context";
export * from "./directory/index";
export * from "./errors";
export * from "./mailboxes";
export * from "./passwords";
