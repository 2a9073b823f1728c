export { type ListenerDeps, type RunningListener, startListeners } from "./listeners";
export { StructureCache } from "./mime/cache";
export { indexMime } from "./mime/structure";
export { createImapServer, type ImapServer, type ImapServerOptions } from "./server";
export { type InboxFeed, PollingFeed } from "./session/feed";
