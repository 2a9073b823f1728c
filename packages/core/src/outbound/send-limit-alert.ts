import { sendLimitAlerts, users } from "@madoguchi/db/schema";
import { eq, lt } from "drizzle-orm";
import MailComposer from "nodemailer/lib/mail-composer";
import { type CoreContext, nowOf } from "../context";
import { deliver } from "../deliver/deliver";
import { adminInboxes } from "../directory/inboxes";

const HOUR_MS = 60 * 60 * 1000;

export interface SendLimitReached {
  userId: number;
  limit: number;
  sentLastHour: number;
  /** Recipients at other servers of the send that was refused. */
  refused: number;
}

/**
 * Tells the administrators, by a message in each one's own inbox, that a user reached the
 * sending limit: usually a busy afternoon, sometimes a stolen password sending spam, which only
 * an administrator can stop (Google Workspace and Microsoft 365 alert their admins the same way).
 * At most once an hour per user, however many sends are refused meanwhile. Returns how many
 * administrators were told.
 */
export async function alertSendLimit(ctx: CoreContext, reached: SendLimitReached): Promise<number> {
  const now = nowOf(ctx);
  const [claimed] = await ctx.db
    .insert(sendLimitAlerts)
    .values({ userId: reached.userId, alertedAt: now })
    .onConflictDoUpdate({
      target: sendLimitAlerts.userId,
      set: { alertedAt: now },
      setWhere: lt(sendLimitAlerts.alertedAt, new Date(now.getTime() - HOUR_MS)),
    })
    .returning();
  if (!claimed) return 0;
  const [user] = await ctx.db.select().from(users).where(eq(users.id, reached.userId));
  if (!user) return 0;
  const admins = await adminInboxes(ctx.db);
  for (const admin of admins) {
    const raw = await alertMessage({ ...reached, user, admin: admin.email, date: now });
    await deliver(ctx, admin.inboxId, raw, { mailFrom: null, rcptTo: [admin.email] });
  }
  return admins.length;
}

function alertMessage(
  input: SendLimitReached & { user: { email: string; name: string }; admin: string; date: Date },
) {
  const domain = input.admin.slice(input.admin.lastIndexOf("@") + 1);
  const who = `${input.user.name} <${input.user.email}>`;
  const text = [
    `${who} さんが送信上限に達しました。`,
    "",
    `社外の宛先への送信は1時間に ${input.limit} 件までです。直近1時間に ${input.sentLastHour} 件送信済みで、` +
      `さらに ${input.refused} 件の宛先への送信を止めました（送信者には上限に達したと表示されています）。`,
    "",
    "本人の送信であれば、しばらく待てば送れるようになります。上限は MADOGUCHI_SEND_LIMIT_PER_HOUR で変更できます。",
    "本人に心当たりがなければ、パスワードが盗まれて迷惑メールの送信に使われているおそれがあります。" +
      "管理 → ユーザー で「無効にする」か「パスワード再発行」をしてください。",
    "",
    "----",
    `${who} reached the sending limit.`,
    "",
    `At most ${input.limit} recipients at other servers per hour; ${input.sentLastHour} in the last hour, ` +
      `and a send to ${input.refused} more was stopped (the sender was told the limit was reached).`,
    "",
    "If it was them, they can send again shortly; MADOGUCHI_SEND_LIMIT_PER_HOUR sets the limit.",
    "If they know nothing of it, their password may be stolen and used for spam: Deactivate the user " +
      "or Reset password under Admin → Users.",
    "",
  ].join("\n");
  return new MailComposer({
    from: { name: "窓口 (Madoguchi)", address: `postmaster@${domain}` },
    to: input.admin,
    subject: `送信上限に達しました: ${input.user.email} / Sending limit reached`,
    date: input.date,
    text,
    textEncoding: "base64",
    headers: { "Auto-Submitted": "auto-generated" },
  })
    .compile()
    .build();
}
