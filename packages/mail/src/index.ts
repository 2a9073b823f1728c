export * from "./blob-store";
export * from "./parse";
export * from "./threading";
export * from "./attachment-content";
