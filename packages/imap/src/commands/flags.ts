import { STATUS_KEYWORDS } from "@madoguchi/core";

/** FLAGS announced at SELECT: the system flags plus our status keywords (see README). */
export const MAILBOX_FLAGS = [
  "\\Answered",
  "\\Flagged",
  "\\Deleted",
  "\\Seen",
  "\\Draft",
  ...Object.values(STATUS_KEYWORDS),
];
