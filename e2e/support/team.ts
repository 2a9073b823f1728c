import { addDomain, addSharedInbox, addUser, deliver } from "@madoguchi/core";
import nodemailer from "nodemailer";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium, login } from "./browser";
import { type MailSpec, rawMail } from "./mail";
import { ensureWebBuilt, startTestServer, type TestServer } from "./server";

export const PASSWORD = "correct horse battery";
export const ADMIN_EMAIL = "kanri@example.co.jp";
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 860 }, locale: "ja-JP" };
export const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 812 },
  locale: "ja-JP",
  isMobile: true,
  hasTouch: true,
};

type InboxSpec = Parameters<typeof addSharedInbox>[1];

export interface TeamSpec {
  /** Agents at example.co.jp (password PASSWORD), each a member of every inbox. */
  agents: { email: string; name: string }[];
  inboxes: Omit<InboxSpec, "memberEmails">[];
  /** Settings for the server, made just before it starts (e.g. after a loopback DNS server). */
  serverEnv?: () => Promise<Record<string, string>>;
}

/** What `chromiumTeam` sets up; its fields are there once the describe's beforeAll ran. */
/** 田中 and 佐藤, both at お問い合わせ <info@example.co.jp>: a team of two working one inbox. */
export const TANAKA_AND_SATO: TeamSpec = {
  agents: [
    { email: "tanaka@example.co.jp", name: "田中" },
    { email: "sato@example.co.jp", name: "佐藤" },
  ],
  inboxes: [{ address: "info@example.co.jp", name: "お問い合わせ" }],
};

export class ChromiumTeam {
  srv!: TestServer;
  browser!: Browser;
  /** In the order of the spec. */
  agentIds: number[] = [];
  inboxIds: number[] = [];
  /** Uncaught errors of every page opened through `openPage`. */
  readonly pageErrors: string[] = [];

  get ctx() {
    return this.srv.server.core.ctx;
  }

  /**
   * One customer conversation per subject in the first inbox (お客様0 <c0@client.example>, …, a
   * minute apart, the first oldest), delivered as mail from outside: its id by subject.
   */
  async customerConversations(key: string, subjects: string[]): Promise<Record<string, number>> {
    const ids: Record<string, number> = {};
    for (const [i, subject] of subjects.entries()) {
      const delivered = await deliver(
        this.ctx,
        this.inboxIds[0] ?? 0,
        rawMail({
          from: { name: `お客様${i}`, address: `c${i}@client.example` },
          to: "info@example.co.jp",
          subject,
          text: `${subject}について`,
          messageId: `${key}-${i}@client.example`,
          date: new Date(Date.now() - (10 - i) * 60_000),
        }),
      );
      ids[subject] = delivered.conversationId ?? 0;
    }
    return ids;
  }

  /** The port of one of the server's listeners, e.g. ("SMTP", "MX") or ("IMAP", "TLS"). */
  port(protocol: "SMTP" | "IMAP" | "POP3", listener: string): number {
    const found = this.srv.server.protocols
      .flatMap((p) => (p.state === "running" && p.label === protocol ? p.listeners : []))
      .find((l) => l.name === listener);
    if (!found) throw new Error(`${protocol} ${listener} is not listening`);
    return Number(found.address.split(":").at(-1));
  }

  /** A customer's mail to `to` through the server's MX, as another mail server sends it; the 250 line. */
  async receiveOverSmtp(to: string, mail: MailSpec): Promise<string> {
    const info = await nodemailer
      .createTransport({ host: "127.0.0.1", port: this.port("SMTP", "MX"), secure: false, ignoreTLS: true })
      .sendMail({ envelope: { from: mail.from.address, to: [to] }, raw: rawMail(mail) });
    return info.response;
  }

  /** A page in a fresh browser context (its own cookies), its uncaught errors collected. */
  async openPage(options: BrowserContextOptions): Promise<Page> {
    const context = await this.browser.newContext(options);
    const page = await context.newPage();
    page.on("pageerror", (e) => this.pageErrors.push(e.message));
    return page;
  }

  login(page: Page, email: string): Promise<void> {
    return login(page, this.srv.baseUrl, email, PASSWORD);
  }

  /** A page in a fresh browser context, logged in as `email`. */
  async openLoggedIn(email: string, options: BrowserContextOptions = DESKTOP): Promise<Page> {
    const page = await this.openPage(options);
    await this.login(page, email);
    return page;
  }

  /** The app's URL of the first shared inbox, with `path` after it (a conversation, a filter). */
  inboxUrl(path = ""): string {
    return `${this.srv.baseUrl}/#/inbox/${this.inboxIds[0]}${path}`;
  }

  /**
   * The administrator 管理者 <ADMIN_EMAIL>, a member of the shared inbox info@example.co.jp made
   * for it (the app opens on an inbox), logged in on a desktop page, which is returned.
   */
  async openAdmin(): Promise<Page> {
    await addUser(this.ctx, { email: ADMIN_EMAIL, name: "管理者", password: PASSWORD, isAdmin: true });
    await addSharedInbox(this.ctx, {
      address: "info@example.co.jp",
      name: "お問い合わせ",
      memberEmails: [ADMIN_EMAIL],
    });
    const page = await this.openPage(DESKTOP);
    await this.login(page, ADMIN_EMAIL);
    return page;
  }
}

/**
 * For the calling describe: before its tests (and its own beforeAll), the real server with
 * example.co.jp, the agents, their shared inboxes and Chromium; after them, all stopped.
 */
export function chromiumTeam(spec: TeamSpec): ChromiumTeam {
  const team = new ChromiumTeam();
  beforeAll(async () => {
    ensureWebBuilt();
    team.srv = await startTestServer(await spec.serverEnv?.());
    await addDomain(team.ctx, "example.co.jp");
    for (const agent of spec.agents)
      team.agentIds.push((await addUser(team.ctx, { ...agent, password: PASSWORD })).id);
    const memberEmails = spec.agents.map((a) => a.email);
    for (const inbox of spec.inboxes)
      team.inboxIds.push((await addSharedInbox(team.ctx, { ...inbox, memberEmails })).id);
    team.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await team.browser?.close();
    await team.srv?.stop();
  });
  return team;
}

/** One agent's desk: their page (logged in, desktop) and the customer's conversation. */
export class ChromiumDesk {
  page!: Page;
  inboxId = 0;
  conversationId = 0;
  constructor(readonly team: ChromiumTeam) {}

  /** The app at a hash route, e.g. `#/inbox/1`. */
  url(hash: string): string {
    return `${this.team.srv.baseUrl}/${hash}`;
  }

  get conversationUrl(): string {
    return this.url(`#/inbox/${this.inboxId}/c/${this.conversationId}`);
  }
}

/**
 * For the calling describe: one agent at one shared inbox, the customer's `mail` delivered to
 * it, and the agent logged in on a desktop page.
 */
export function chromiumDesk(spec: {
  agent: TeamSpec["agents"][number];
  inbox: TeamSpec["inboxes"][number];
  mail: () => Buffer;
  serverEnv?: TeamSpec["serverEnv"];
}): ChromiumDesk {
  const desk = new ChromiumDesk(
    chromiumTeam({ agents: [spec.agent], inboxes: [spec.inbox], serverEnv: spec.serverEnv }),
  );
  beforeAll(async () => {
    const { team } = desk;
    desk.inboxId = team.inboxIds[0] ?? 0;
    desk.conversationId = (await deliver(team.ctx, desk.inboxId, spec.mail())).conversationId ?? 0;
    desk.page = await team.openPage(DESKTOP);
    await team.login(desk.page, spec.agent.email);
  }, 120_000);
  return desk;
}
