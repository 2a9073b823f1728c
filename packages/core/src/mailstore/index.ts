export * from "./append";
export * from "./copy";
export * from "./expunge";
export * from "./flags";
export * from "./folders";
export * from "./keywords";
export * from "./messages";
