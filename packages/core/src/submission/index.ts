export * from "./answered";
export * from "./send-as";
export * from "./submit";
