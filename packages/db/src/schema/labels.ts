import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { conversations } from "./conversations";
import { inboxes, users } from "./directory";

/** The colours a label can take (the web app's palette); the first is the default. */
export const labelColors = ["gray", "red", "orange", "yellow", "green", "blue", "purple", "pink"] as const;
export type LabelColor = (typeof labelColors)[number];

/**
 * ラベル: a shared inbox's own tags for sorting its conversations (請求, 要見積, VIP), managed by
 * its members as yaritori's and Re:lation's labels are. A name is unique in its inbox, whatever
 * its case.
 */
export const labels = pgTable(
  "labels",
  {
    id: serial().primaryKey(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    name: text().notNull(),
    color: text().$type<LabelColor>().notNull().default("gray"),
    createdBy: integer().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("labels_inbox_name_idx").on(t.inboxId, sql`lower(${t.name})`)],
);

/** Which labels a conversation carries. */
export const conversationLabels = pgTable(
  "conversation_labels",
  {
    conversationId: bigint({ mode: "number" })
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    labelId: integer()
      .notNull()
      .references(() => labels.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.labelId] }),
    // The list filtered by a label.
    index("conversation_labels_label_idx").on(t.labelId, t.conversationId),
  ],
);
