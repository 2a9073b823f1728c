export * from "./accounts";
export * from "./admin";
export * from "./checkpoint";
export * from "./lease";
export * from "./passwords";
export * from "./remote-copies";
export * from "./route";
