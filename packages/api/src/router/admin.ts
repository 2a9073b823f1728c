import {
  adminAddDomain,
  adminCancelOutbound,
  adminChangeAliases,
  adminChangeMembers,
  adminCheckDomainDns,
  adminCreateInbox,
  adminCreateUser,
  adminDomainDns,
  adminListDomains,
  adminListInboxes,
  adminListOutboundQueue,
  adminListUsers,
  adminResetPassword,
  adminRetryOutbound,
  adminSetUserActive,
  adminSetUserAdmin,
  adminUpdateInbox,
  type DnsToolkit,
  type Inbox,
} from "@madoguchi/core";
import { conversationStatuses } from "@madoguchi/db/schema";
import { z } from "zod";
import { userError } from "../errors";
import { adminProcedure, createRouter } from "../trpc";
import { iso } from "../view/iso";
import { userView } from "../view/user";

const id = z.number().int().positive();
const settings = z.object({
  signature: z.string().max(10_000).optional(),
  /** Seconds the web composer waits before really sending (the SPA's undo window). */
  undoSendSeconds: z.number().int().min(0).max(120).optional(),
  statusOnReply: z.enum(conversationStatuses).optional(),
  /** 自動返信 to each new inquiry: sent as the inbox, marked Auto-Submitted. */
  autoReply: z
    .object({
      enabled: z.boolean(),
      subject: z.string().trim().max(500),
      body: z.string().max(10_000),
      outsideHours: z
        .object({
          days: z.array(z.number().int().min(0).max(6)).max(7),
          start: z.string().max(5),
          end: z.string().max(5),
          timeZone: z.string().max(64),
          holidaysOff: z.boolean().optional(),
          closed: z
            .array(z.object({ from: z.string().max(10), to: z.string().max(10) }))
            .max(50)
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

const inboxView = (i: Inbox) => ({
  id: i.id,
  address: i.address,
  name: i.name,
  kind: i.kind,
  settings: i.settings,
  createdAt: iso(i.createdAt),
});

const users = createRouter({
  list: adminProcedure.query(async ({ ctx }) => (await adminListUsers(ctx.ctx, ctx.user.id)).map(userView)),
  /** Without a password a one-time password is generated, returned once, and must be changed at first login. */
  create: adminProcedure
    .input(
      z.object({
        email: z.string().trim().max(254),
        name: z.string().trim().min(1).max(200),
        password: z.string().min(8).max(1000).optional(),
        isAdmin: z.boolean().default(false),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const r = await adminCreateUser(ctx.ctx, ctx.user.id, input);
      return { user: userView(r.user), oneTimePassword: r.oneTimePassword };
    }),
  /** active: false deactivates (cannot log in anywhere; logged out of the web app at once). */
  setActive: adminProcedure
    .input(z.object({ userId: id, active: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const user = await adminSetUserActive(ctx.ctx, ctx.user.id, input);
      if (!input.active) ctx.runtime.events.sessionsEnded({ userId: input.userId });
      ctx.runtime.events.membershipChanged([input.userId]);
      return userView(user);
    }),
  setAdmin: adminProcedure
    .input(z.object({ userId: id, isAdmin: z.boolean() }))
    .mutation(async ({ ctx, input }) => userView(await adminSetUserAdmin(ctx.ctx, ctx.user.id, input))),
  /** A new one-time password; the user is logged out everywhere and must change it at login. */
  resetPassword: adminProcedure.input(z.object({ userId: id })).mutation(async ({ ctx, input }) => {
    const r = await adminResetPassword(ctx.ctx, ctx.user.id, input.userId);
    ctx.runtime.events.sessionsEnded({ userId: input.userId });
    return r;
  }),
});

const inboxes = createRouter({
  /** Shared inboxes with their members. */
  list: adminProcedure.query(async ({ ctx }) =>
    (await adminListInboxes(ctx.ctx, ctx.user.id)).map((i) => ({
      ...inboxView(i),
      members: i.members,
      aliases: i.aliases,
    })),
  ),
  create: adminProcedure
    .input(
      z.object({
        address: z.string().trim().max(254),
        name: z.string().trim().min(1).max(200),
        memberIds: z.array(id).max(1000).default([]),
        settings: settings.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const inbox = await adminCreateInbox(ctx.ctx, ctx.user.id, input);
      ctx.runtime.events.membershipChanged(input.memberIds);
      return inboxView(inbox);
    }),
  /** Name and settings (signature, undo window, status on reply); settings are merged. */
  update: adminProcedure
    .input(z.object({ inboxId: id, name: z.string().max(200).optional(), settings: settings.optional() }))
    .mutation(async ({ ctx, input }) => inboxView(await adminUpdateInbox(ctx.ctx, ctx.user.id, input))),
  /** Adds and removes members; removed members' open realtime rooms are closed at once. */
  changeMembers: adminProcedure
    .input(
      z.object({
        inboxId: id,
        add: z.array(id).max(1000).default([]),
        remove: z.array(id).max(1000).default([]),
        role: z.enum(["owner", "member"]).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const r = await adminChangeMembers(ctx.ctx, ctx.user.id, input);
      ctx.runtime.events.membershipChanged(r.changedUserIds);
      return r;
    }),
  /** Adds and removes other addresses of the inbox (otoiawase@ besides info@); returns them after. */
  changeAliases: adminProcedure
    .input(
      z.object({
        inboxId: id,
        add: z.array(z.string().trim().max(254)).max(100).default([]),
        remove: z.array(z.string().trim().max(254)).max(100).default([]),
      }),
    )
    .mutation(async ({ ctx, input }) => ({ aliases: await adminChangeAliases(ctx.ctx, ctx.user.id, input) })),
});

/** The DNS helper lives in the SMTP package, which apps/server hands over. */
function dnsOf(deps: { dns?: DnsToolkit }): DnsToolkit {
  if (!deps.dns)
    throw userError("SERVICE_UNAVAILABLE", "error.busy", "The DNS helper is not available on this server");
  return deps.dns;
}

const domainName = z.object({ name: z.string().trim().min(1).max(253) });

const domains = createRouter({
  list: adminProcedure.query(async ({ ctx }) =>
    (await adminListDomains(ctx.ctx, ctx.user.id)).map((d) => ({
      id: d.id,
      name: d.name,
      createdAt: iso(d.createdAt),
    })),
  ),
  add: adminProcedure
    .input(z.object({ name: z.string().trim().max(253) }))
    .mutation(async ({ ctx, input }) => {
      const d = await adminAddDomain(ctx.ctx, ctx.user.id, input.name);
      return { id: d.id, name: d.name, createdAt: iso(d.createdAt) };
    }),
  /** The records to publish: MX, A, SPF, DKIM (the key made on first use), DMARC. */
  dns: adminProcedure.input(domainName).query(async ({ ctx, input }) => {
    const shown = await adminDomainDns(ctx.ctx, ctx.user.id, dnsOf(ctx.runtime.deps), input.name);
    return {
      domain: shown.domain,
      records: shown.records.map(({ kind, type, name, value }) => ({ kind, type, name, value })),
    };
  }),
  /** Looks every record up now: ok, missing, wrong (with a problem code) or error. */
  checkDns: adminProcedure.input(domainName).query(async ({ ctx, input }) => {
    const checked = await adminCheckDomainDns(ctx.ctx, ctx.user.id, dnsOf(ctx.runtime.deps), input.name);
    return {
      domain: checked.domain,
      ok: checked.ok,
      items: checked.items.map(({ kind, type, name, value, status, problem, found }) => ({
        kind,
        type,
        name,
        value,
        status,
        problem,
        found,
      })),
    };
  }),
});

/** A recipient domain of the queue, as typed ("docomo.ne.jp"; core lower-cases it). */
const recipientDomain = z.string().trim().min(1).max(253);

/** Outgoing mail not delivered yet, and "try again now" (as madoguchi queue list / retry). */
const queue = createRouter({
  list: adminProcedure
    .input(z.object({ domain: recipientDomain.optional() }).optional())
    .query(async ({ ctx, input }) => {
      const { entries, total, domains } = await adminListOutboundQueue(ctx.ctx, ctx.user.id, input?.domain);
      return {
        total,
        domains,
        entries: entries.map((e) => ({
          id: e.id,
          state: e.state,
          domain: e.domain,
          recipients: e.recipients,
          attempts: e.attempts,
          queuedAt: iso(e.queuedAt),
          nextAttemptAt: iso(e.nextAttemptAt),
          lastError: e.lastError,
          mailFrom: e.mailFrom,
          subject: e.subject,
        })),
      };
    }),
  retry: adminProcedure
    .input(
      z.object({
        ids: z
          .array(id)
          .min(1)
          .max(1000)
          .or(z.literal("all"))
          .or(z.object({ domain: recipientDomain })),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await adminRetryOutbound(ctx.ctx, ctx.user.id, input.ids);
      if (result.due.length) ctx.runtime.deps.onQueued?.();
      return { due: result.due, skipped: result.skipped.map((s) => s.id) };
    }),
  /** Gives up on queued deliveries: each bounces to its sender now. */
  cancel: adminProcedure
    .input(z.object({ ids: z.array(id).min(1).max(1000) }))
    .mutation(async ({ ctx, input }) => {
      const result = await adminCancelOutbound(ctx.ctx, ctx.user.id, input.ids);
      if (result.cancelled.length) ctx.runtime.deps.onQueued?.();
      return { cancelled: result.cancelled, skipped: result.skipped.map((s) => s.id) };
    }),
});

/** Administration: users, shared inboxes, domains, the outgoing queue (administrators only). */
export const adminRouter = createRouter({ users, inboxes, domains, queue });
