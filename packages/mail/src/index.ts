export * from "./attachment-content";
export * from "./automated";
export * from "./blob-store";
export * from "./parse";
export * from "./threading";
