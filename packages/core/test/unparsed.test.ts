import { conversations, messages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { deliver, PARSE_ERROR_KEYWORD } from "../src/deliver/deliver";
import { listUnparsedMessages, reprocessMessage } from "../src/deliver/unparsed";
import { addUser } from "../src/directory/users";
import { isAppError } from "../src/errors";
import { mail, useTeamEnv } from "./fixtures";
import { drivers } from "./harness";

// Simulates a parser failure (a crash in a MIME edge case) for the next parse only.
const failNext = vi.hoisted(() => ({ on: false }));
vi.mock("@madoguchi/mail/parse", async (importOriginal) => {
  const real = await importOriginal<typeof import("@madoguchi/mail/parse")>();
  return {
    ...real,
    parseMessage: async (raw: Buffer) => {
      if (failNext.on) {
        failNext.on = false;
        throw new Error("simulated parser crash");
      }
      return real.parseMessage(raw);
    },
  };
});

describe.each(drivers)("unparseable mail on %s", (driver) => {
  const t = useTeamEnv(driver);

  it("is kept raw and flagged, listed for admins, and can be reprocessed", async () => {
    const admin = await addUser(t.env.ctx, {
      email: "admin@example.co.jp",
      name: "管理者",
      password: "long enough",
      isAdmin: true,
    });
    const raw = mail({ subject: "壊れたメール", messageId: "broken@customer.example" });
    failNext.on = true;
    const result = await deliver(t.env.ctx, t.team.info.id, raw);
    expect(result.conversationId).toBeNull();
    const [row] = await t.env.ctx.db.select().from(messages).where(eq(messages.id, result.messageId));
    expect(row?.keywords).toEqual([PARSE_ERROR_KEYWORD]);
    expect(row?.parseError).toContain("simulated parser crash");
    expect(await t.env.ctx.blobs.get(result.blobHash)).toEqual(raw);

    const denied = await listUnparsedMessages(t.env.ctx, t.team.alice.id).catch((e) => e);
    expect(isAppError(denied, "FORBIDDEN")).toBe(true);
    const listed = await listUnparsedMessages(t.env.ctx, admin.id);
    expect(listed.map((m) => m.id)).toEqual([result.messageId]);

    const { conversationId } = await reprocessMessage(t.env.ctx, admin.id, result.messageId);
    const [fixed] = await t.env.ctx.db.select().from(messages).where(eq(messages.id, result.messageId));
    expect(fixed).toMatchObject({ conversationId, subject: "壊れたメール", parseError: null, keywords: [] });
    expect(fixed?.modseq).toBeGreaterThan(result.seq);
    expect(await listUnparsedMessages(t.env.ctx, admin.id)).toEqual([]);
    const [conversation] = await t.env.ctx.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    expect(conversation).toMatchObject({ messageCount: 1, subject: "壊れたメール" });
  });

  it("threads a reprocessed reply into the conversation it answers, as delivery would", async () => {
    const admin = await addUser(t.env.ctx, {
      email: "admin2@example.co.jp",
      name: "管理者",
      password: "long enough",
      isAdmin: true,
    });
    const parent = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "見積もり", messageId: "quote@customer.example" }),
    );
    failNext.on = true;
    const reply = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({
        subject: "Re: 見積もり",
        messageId: "quote-2@customer.example",
        inReplyTo: "quote@customer.example",
      }),
    );
    expect(reply.conversationId).toBeNull();
    const { conversationId } = await reprocessMessage(t.env.ctx, admin.id, reply.messageId);
    expect(conversationId).toBe(parent.conversationId);
    const [conversation] = await t.env.ctx.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    expect(conversation?.messageCount).toBe(2);
  });
});
