import type { SecureContext } from "node:tls";
import type { AuthThrottle, CoreContext } from "@madoguchi/core";
import type { StructureCache } from "../mime/cache";
import type { InboxFeed } from "./feed";

/** What all sessions of one server share. */
export interface ServerShared {
  ctx: CoreContext;
  feed: InboxFeed;
  cache: StructureCache;
  secureContext: SecureContext | null;
  hostname: string;
  /** Tests and benches only: LOGIN/AUTHENTICATE without TLS. */
  allowInsecureAuth: boolean;
  throttle?: AuthThrottle;
  log: (message: string, err?: unknown) => void;
}
