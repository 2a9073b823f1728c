export * from "./attachment-content";
export * from "./blob-store";
export * from "./parse";
export * from "./threading";
