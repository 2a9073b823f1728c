import {
  bigint,
  bigserial,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { inboxes, users } from "./directory";

/**
 * Web app login sessions. `id` is the sha256 (hex) of the random cookie value, so a leaked
 * database dump cannot be replayed as cookies.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    userAgent: text(),
    remoteAddress: text(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

export type ClientMutationState = "pending" | "done" | "failed";

/**
 * Results of mutations by their client mutation id, so a retry after a lost acknowledgement
 * (or a double click) returns the first result instead of applying twice. Kept for a day.
 */
export const clientMutations = pgTable(
  "client_mutations",
  {
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mutationId: text().notNull(),
    procedure: text().notNull(),
    state: text().$type<ClientMutationState>().notNull().default("pending"),
    result: jsonb().$type<unknown>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.mutationId] }),
    index("client_mutations_created_idx").on(t.createdAt),
  ],
);

export type NotificationKind = "mention" | "snooze_ended";

/** In-app notifications (an @mention in a conversation's chat, a スヌーズ ended), per recipient. */
export const notifications = pgTable(
  "notifications",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text().$type<NotificationKind>().notNull(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    conversationId: bigint({ mode: "number" }).notNull(),
    commentId: bigint({ mode: "number" }),
    actorId: integer().references(() => users.id, { onDelete: "set null" }),
    excerpt: text().notNull().default(""),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.id)],
);

/** Reply templates of an inbox; the body may use {{customer.name}}, {{agent.name}} and the like. */
export const templates = pgTable(
  "templates",
  {
    id: serial().primaryKey(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    name: text().notNull(),
    subject: text(),
    body: text().notNull(),
    createdBy: integer().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("templates_inbox_idx").on(t.inboxId)],
);

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/**
 * Owned by @socket.io/postgres-adapter: cluster messages over NOTIFY's 8000-byte limit are
 * stored here and only their id is notified. Declared so the migration creates it.
 */
export const socketIoAttachments = pgTable("socket_io_attachments", {
  id: bigserial({ mode: "number" }).unique(),
  createdAt: timestamp({ withTimezone: true }).defaultNow(),
  payload: bytea(),
});
