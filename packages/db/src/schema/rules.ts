import { boolean, index, integer, jsonb, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import type { ConversationStatus } from "./conversations";
import { inboxes, users } from "./directory";

/** What part of a message a rule's condition looks in. */
export const ruleFields = ["from", "to", "subject", "body"] as const;
export type RuleField = (typeof ruleFields)[number];

/** The field contains the value (case and full/half width ignored). */
export interface RuleCondition {
  field: RuleField;
  value: string;
}

/** What a rule does to the conversation a matching message starts. */
export interface RuleActions {
  assigneeId: number | null;
  labelIds: number[];
  status: Exclude<ConversationStatus, "open"> | null;
}

/**
 * 自動振り分け: an inbox's rules for new inquiries, as yaritori's, Re:lation's and Front's. When a
 * customer's mail starts a conversation, every enabled rule whose conditions all match applies,
 * in position order.
 */
export const inboxRules = pgTable(
  "inbox_rules",
  {
    id: serial().primaryKey(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    name: text().notNull(),
    position: integer().notNull(),
    enabled: boolean().notNull().default(true),
    conditions: jsonb().$type<RuleCondition[]>().notNull(),
    actions: jsonb().$type<RuleActions>().notNull(),
    createdBy: integer().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("inbox_rules_inbox_idx").on(t.inboxId, t.position)],
);
