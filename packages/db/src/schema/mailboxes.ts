import { bigint, integer, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { inboxes } from "./directory";

export type SpecialUse = "\\Inbox" | "\\Sent" | "\\Drafts" | "\\Trash" | "\\Archive" | "\\Junk";

/** IMAP folders of an inbox. UIDs are per mailbox; MODSEQs come from the inbox's change log. */
export const mailboxes = pgTable(
  "mailboxes",
  {
    id: serial().primaryKey(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    name: text().notNull(),
    specialUse: text().$type<SpecialUse>(),
    uidValidity: bigint({ mode: "number" }).notNull(),
    uidNext: integer().notNull().default(1),
    highestModseq: bigint({ mode: "number" }).notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("mailboxes_inbox_name_idx").on(t.inboxId, t.name)],
);
