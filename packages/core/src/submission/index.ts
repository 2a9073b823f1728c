export * from "./answered";
export * from "./send-as";
export * from "./send-composed";
export * from "./submit";
