export * from "./accounts";
export * from "./checkpoint";
export * from "./lease";
export * from "./route";
