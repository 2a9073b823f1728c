import { listConnectors } from "@madoguchi/core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dovecot, startDovecot } from "../packages/sync/test/dovecot";
import { screenshot, scrollWidth } from "./support/browser";
import { rawMail } from "./support/mail";
import { ADMIN_EMAIL, chromiumTeam, DESKTOP, PHONE } from "./support/team";

// 外部メールボックス in Chromium: an administrator connects info@ at another provider (Debian's
// Dovecot on loopback) to a shared inbox, tests the connection, watches the import, switches
// \Seen mirroring and syncing, and removes it; an agent never sees the page.
const WAIT = 10_000;
/** The server's connector workers pick a new account up at their next scan (15 s). */
const IMPORT_WAIT = 40_000;
const AT_PROVIDER = 3;

describe("web app in Chromium: external mailbox connectors (admin)", () => {
  const team = chromiumTeam({
    agents: [{ email: "sato@example.co.jp", name: "佐藤" }],
    inboxes: [{ address: "support@example.co.jp", name: "サポート窓口" }],
  });
  let provider: Dovecot;
  let admin: Page;

  beforeAll(async () => {
    provider = await startDovecot();
    for (let n = 1; n <= AT_PROVIDER; n++)
      provider.writeMaildir(
        rawMail({
          from: { name: "山田 太郎", address: "yamada@client.example" },
          to: provider.user,
          subject: `他社に届いたお問い合わせ ${n}`,
          text: `お問い合わせ本文 ${n}`,
          messageId: `provider-${n}@client.example`,
        }),
      );
    admin = await team.openAdmin();
  }, 60_000);
  afterAll(async () => {
    await provider?.stop();
  });

  const card = () => admin.getByTestId("connector");

  it("adds a connector to the shared inbox from the admin page; passwords are not shown back", async () => {
    await admin.getByRole("link", { name: "管理", exact: true }).click();
    await admin.getByRole("tab", { name: "外部メールボックス", exact: true }).click();
    await admin.getByText("つながっている外部メールボックスはありません。").waitFor({ timeout: WAIT });
    await admin.getByText("外部メールボックスを追加").click();
    const form = admin.getByTestId("connector-add-form");
    await form.getByLabel("取り込み先の共有受信箱").selectOption("info@example.co.jp");
    const imap = form.locator("fieldset").first();
    await imap.getByLabel("サーバー").fill("127.0.0.1");
    await imap.getByLabel("ポート").fill(String(provider.port));
    await imap.getByLabel("暗号化").selectOption("none");
    await imap.getByLabel("ユーザー名").fill(provider.user);
    await imap.getByLabel("パスワード").fill(provider.password);
    await expect(form.getByLabel("取り込むフォルダー（1行に1つ）").inputValue()).resolves.toBe("INBOX");
    await form.getByRole("button", { name: "追加", exact: true }).click();
    await form.getByText("追加しました。まず接続テストを行ってください。").waitFor({ timeout: WAIT });
    // The form forgets the password, and nothing on the page shows it.
    await expect(imap.getByLabel("パスワード").inputValue()).resolves.toBe("");
    await card().waitFor({ timeout: WAIT });
    await expect(card().textContent()).resolves.toContain("info@example.co.jp");
    await expect(admin.content()).resolves.not.toContain(provider.password);
    await expect(card().getByTestId("connector-state").textContent()).resolves.toBe("有効");
  });

  it("runs 接続テスト and shows each step's result", async () => {
    await card().getByRole("button", { name: "接続テスト", exact: true }).click();
    const report = card().getByTestId("connector-test-result");
    await report.waitFor({ timeout: 20_000 });
    await expect(report.textContent()).resolves.toContain("接続できました");
    const steps = await report
      .locator("li")
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-step"), e.getAttribute("data-ok")]));
    expect(steps).toContainEqual(["tcp", "true"]);
    expect(steps).toContainEqual(["auth", "true"]);
    expect(steps).toContainEqual(["folder", "true"]);
    expect(steps.every(([, ok]) => ok === "true")).toBe(true);
    await expect(report.textContent()).resolves.toContain("ログイン");
    // Each step is worded in Japanese from its code, not the server's English sentence.
    const lines = await report.locator("li").allTextContents();
    expect(lines).toEqual([
      "✓ IMAP DNS: 127.0.0.1 は 127.0.0.1 に名前解決できました",
      `✓ IMAP 接続（TCP）: 127.0.0.1:${provider.port} に接続できました`,
      `✓ IMAP ログイン: ${provider.user} でログインできました`,
      "✓ IMAP フォルダー: フォルダー「INBOX」があります",
    ]);
    await expect(report.textContent()).resolves.not.toMatch(/resolves to|accepts connections|logged in as/);
  });

  it(
    "shows the import reaching the number of messages at the provider, and the last sync",
    async () => {
      const progress = card().getByTestId("connector-progress");
      await expect
        .poll(() => progress.first().getAttribute("data-done"), { timeout: IMPORT_WAIT, interval: 500 })
        .toBe(String(AT_PROVIDER));
      await expect(progress.first().textContent()).resolves.toContain(
        `INBOX: ${AT_PROVIDER} / ${AT_PROVIDER} 件`,
      );
      await expect
        .poll(() => card().getByTestId("connector-last-success").textContent(), { timeout: WAIT })
        .toContain("最後の同期:");
      await screenshot(admin, "connectors-admin-desktop");
    },
    IMPORT_WAIT + 10_000,
  );

  it("edits the connector: pre-filled, cancel keeps it, a blank password keeps the stored one", async () => {
    const stored = async () => (await listConnectors(team.ctx.db))[0];
    const sealed = (await stored())?.imapPasswordSealed;
    const openEdit = async () => {
      await card().getByRole("button", { name: "編集", exact: true }).click();
      const form = card().getByTestId("connector-edit-form");
      await form.waitFor({ timeout: WAIT });
      return { form, imap: form.locator("fieldset").first() };
    };
    const testReport = async () => {
      await card().getByRole("button", { name: "接続テスト", exact: true }).click();
      return card().getByTestId("connector-test-result");
    };

    // The form shows the stored settings; the password field is blank and says why.
    let { form, imap } = await openEdit();
    await expect(imap.getByLabel("サーバー").inputValue()).resolves.toBe("127.0.0.1");
    await expect(imap.getByLabel("ポート").inputValue()).resolves.toBe(String(provider.port));
    await expect(imap.getByLabel("暗号化").inputValue()).resolves.toBe("none");
    await expect(imap.getByLabel("ユーザー名").inputValue()).resolves.toBe(provider.user);
    await expect(imap.getByLabel("パスワード").inputValue()).resolves.toBe("");
    await expect(imap.getByLabel("パスワード").getAttribute("placeholder")).resolves.toBe(
      "変更しない場合は空欄",
    );
    await expect(form.getByLabel("取り込むフォルダー（1行に1つ）").inputValue()).resolves.toBe("INBOX");
    await form.getByText("パスワード欄が空のときは、保存済みのパスワードをそのまま使います。").waitFor();

    // キャンセル closes the form and changes nothing.
    await imap.getByLabel("ポート").fill("1");
    await form.getByRole("button", { name: "キャンセル", exact: true }).click();
    await form.waitFor({ state: "detached", timeout: WAIT });
    await expect(stored()).resolves.toMatchObject({ imapPort: provider.port });

    // A server the router refuses (blank after trimming) is reported in words, the form stays open.
    ({ form, imap } = await openEdit());
    await imap.getByLabel("サーバー").fill("   ");
    await form.getByRole("button", { name: "保存", exact: true }).click();
    await form.getByText("入力内容を確認してください。").waitFor({ timeout: WAIT });
    await expect(stored()).resolves.toMatchObject({ imapHost: "127.0.0.1" });

    // A wrong port is saved, shown on the card, and the connection test fails at TCP.
    await imap.getByLabel("サーバー").fill("127.0.0.1");
    await imap.getByLabel("ポート").fill("1");
    await form.getByRole("button", { name: "保存", exact: true }).click();
    await form.waitFor({ state: "detached", timeout: WAIT });
    await expect(card().textContent()).resolves.toContain("127.0.0.1:1 ");
    await expect(stored()).resolves.toMatchObject({ imapPort: 1, imapPasswordSealed: sealed });
    let report = await testReport();
    await expect
      .poll(() => report.locator('li[data-step="tcp"]').first().getAttribute("data-ok"), { timeout: 20_000 })
      .toBe("false");
    await expect(report.textContent()).resolves.toContain("接続できませんでした");
    // The failed step says what happened and what to check, in Japanese.
    const refused = report.locator('li[data-ok="false"]');
    await expect(refused.getAttribute("data-code")).resolves.toBe("tcp_refused");
    await expect(refused.textContent()).resolves.toBe(
      "✗ IMAP 接続（TCP）: IMAP 127.0.0.1:1 に接続を拒否されました。ポート番号と暗号化の設定を確認してください",
    );

    // Back to the right port; the stored password still logs in.
    ({ form, imap } = await openEdit());
    await expect(imap.getByLabel("ポート").inputValue()).resolves.toBe("1");
    await imap.getByLabel("ポート").fill(String(provider.port));
    await form.getByRole("button", { name: "保存", exact: true }).click();
    await form.waitFor({ state: "detached", timeout: WAIT });
    await expect(card().textContent()).resolves.toContain(`127.0.0.1:${provider.port} `);
    await expect(stored()).resolves.toMatchObject({ imapPort: provider.port, imapPasswordSealed: sealed });
    report = await testReport();
    await expect.poll(() => report.textContent(), { timeout: 20_000 }).toContain("接続できました");
    await expect(admin.content()).resolves.not.toContain(provider.password);
  });

  it("sets the provider's Sent folder and the unverified-certificate option; both persist", async () => {
    const stored = async () => (await listConnectors(team.ctx.db))[0];
    const openEdit = async () => {
      await card().getByRole("button", { name: "編集", exact: true }).click();
      const form = card().getByTestId("connector-edit-form");
      await form.waitFor({ timeout: WAIT });
      return form;
    };
    const save = async (form: ReturnType<typeof card>) => {
      await form.getByRole("button", { name: "保存", exact: true }).click();
      await form.waitFor({ state: "detached", timeout: WAIT });
    };
    const sentField = (form: ReturnType<typeof card>) => form.getByLabel("送信済みフォルダー（任意）");
    const certBox = (form: ReturnType<typeof card>) =>
      form.getByLabel("証明書を検証しない（無効な証明書を許可）");
    await expect(stored()).resolves.toMatchObject({ sentFolder: null, allowInvalidCert: false });

    // Off by default, with the warning next to it.
    let form = await openEdit();
    await expect(sentField(form).inputValue()).resolves.toBe("");
    await expect(certBox(form).isChecked()).resolves.toBe(false);
    await form.getByText("接続先が本物のサーバーか確認しません").waitFor();

    // A Sent folder the provider does not have: the test says so and lists the folders it has.
    await sentField(form).fill("送信箱");
    await save(form);
    await expect(stored()).resolves.toMatchObject({ sentFolder: "送信箱" });
    await card().getByRole("button", { name: "接続テスト", exact: true }).click();
    const missing = card().getByTestId("connector-test-result").locator('li[data-code="folder_missing"]');
    await missing.waitFor({ timeout: 20_000 });
    await expect(missing.textContent()).resolves.toMatch(
      /^✗ IMAP フォルダー: フォルダー「送信箱」がありません。相手側にあるフォルダー: .*Sent/,
    );

    // The real one, and the certificate option on.
    form = await openEdit();
    await expect(sentField(form).inputValue()).resolves.toBe("送信箱");
    await sentField(form).fill("Sent");
    await certBox(form).check();
    await save(form);
    await expect(stored()).resolves.toMatchObject({ sentFolder: "Sent", allowInvalidCert: true });
    await expect(card().getByTestId("connector-cert-warning").textContent()).resolves.toBe(
      "証明書を検証していません",
    );
    await expect(card().textContent()).resolves.toContain("送信済みフォルダー: Sent");

    // After a reload the form shows both as saved; turning the option off is saved too.
    await admin.reload();
    form = await openEdit();
    await expect(sentField(form).inputValue()).resolves.toBe("Sent");
    await expect(certBox(form).isChecked()).resolves.toBe(true);
    await certBox(form).uncheck();
    await save(form);
    await expect(stored()).resolves.toMatchObject({ sentFolder: "Sent", allowInvalidCert: false });
    await expect(card().getByTestId("connector-cert-warning").count()).resolves.toBe(0);
    await card().getByRole("button", { name: "接続テスト", exact: true }).click();
    const sent = card().getByTestId("connector-test-result").locator("li", { hasText: "「Sent」" });
    await expect(sent.textContent({ timeout: 20_000 })).resolves.toBe(
      "✓ IMAP フォルダー: フォルダー「Sent」があります",
    );
  });

  it("turns \\Seen mirroring on and off (one way, off by default)", async () => {
    const mirror = card().getByLabel("既読を相手側にも反映する");
    await expect(mirror.isChecked()).resolves.toBe(false);
    await expect(card().textContent()).resolves.toContain("一方向のみ");
    await mirror.click();
    await expect
      .poll(async () => (await listConnectors(team.ctx.db))[0]?.mirrorSeen, { timeout: WAIT })
      .toBe(true);
    await admin.reload();
    await expect(card().getByLabel("既読を相手側にも反映する").isChecked({ timeout: WAIT })).resolves.toBe(
      true,
    );
    await card().getByLabel("既読を相手側にも反映する").click();
    await expect
      .poll(async () => (await listConnectors(team.ctx.db))[0]?.mirrorSeen, { timeout: WAIT })
      .toBe(false);
  });

  it("pauses and resumes syncing", async () => {
    await card().getByRole("button", { name: "停止する", exact: true }).click();
    await expect
      .poll(() => card().getByTestId("connector-state").textContent(), { timeout: WAIT })
      .toBe("停止中");
    await expect
      .poll(async () => (await listConnectors(team.ctx.db))[0]?.enabled, { timeout: WAIT })
      .toBe(false);
    await card().getByRole("button", { name: "有効にする", exact: true }).click();
    await expect
      .poll(() => card().getByTestId("connector-state").textContent(), { timeout: WAIT })
      .toBe("有効");
    await card().getByRole("button", { name: "停止する", exact: true }).click();
    await expect
      .poll(() => card().getByTestId("connector-state").textContent(), { timeout: WAIT })
      .toBe("停止中");
  });

  it("removes the connector after confirmation; a dismissed confirmation keeps it", async () => {
    admin.once("dialog", (d) => void d.dismiss());
    await card().getByRole("button", { name: "削除", exact: true }).click();
    await expect(card().count()).resolves.toBe(1);
    admin.once("dialog", (d) => {
      expect(d.message()).toContain("info@example.co.jp");
      void d.accept();
    });
    await card().getByRole("button", { name: "削除", exact: true }).click();
    await admin.getByText("つながっている外部メールボックスはありません。").waitFor({ timeout: WAIT });
    await expect(listConnectors(team.ctx.db)).resolves.toEqual([]);
  });

  it(
    "fits a 375 px phone, and speaks English (connection test, last error) after the admin switches language",
    async () => {
      const phone = await team.openPage(PHONE);
      await team.login(phone, ADMIN_EMAIL);
      await phone.goto(`${team.srv.baseUrl}/#/admin/connectors`);
      await phone.getByText("外部メールボックスを追加").click();
      await phone.getByTestId("connector-add-form").waitFor({ timeout: WAIT });
      expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
      await screenshot(phone, "connectors-admin-phone");
      await phone.goto(`${team.srv.baseUrl}/#/settings`);
      await phone.getByTestId("language").selectOption("en");
      await phone.getByRole("button", { name: "保存", exact: true }).first().click();
      await phone.goto(`${team.srv.baseUrl}/#/admin/connectors`);
      await phone.getByRole("tab", { name: "External mailboxes", exact: true }).waitFor({ timeout: WAIT });
      await phone.getByText("Add an external mailbox").waitFor({ timeout: WAIT });

      // A connector whose port refuses: the test and the stored last error speak English too.
      await phone.getByText("Add an external mailbox").click();
      const form = phone.getByTestId("connector-add-form");
      await form.getByLabel("Shared inbox to import into").selectOption("support@example.co.jp");
      const imap = form.locator("fieldset").first();
      await imap.getByLabel("Server").fill("127.0.0.1");
      await imap.getByLabel("Port").fill("1");
      await imap.getByLabel("Encryption").selectOption("none");
      await imap.getByLabel("User name").fill(provider.user);
      await imap.getByLabel("Password").fill(provider.password);
      await form.getByRole("button", { name: "Add", exact: true }).click();
      const refusedCard = phone.getByTestId("connector");
      await refusedCard.waitFor({ timeout: WAIT });
      await refusedCard.getByRole("button", { name: "Test connection", exact: true }).click();
      const failed = refusedCard.getByTestId("connector-test-result").locator('li[data-ok="false"]');
      await expect(failed.textContent({ timeout: 20_000 })).resolves.toBe(
        "✗ IMAP Connection (TCP): IMAP 127.0.0.1:1 refused the connection; check the port and the encryption setting",
      );
      const lastError = refusedCard.getByTestId("connector-last-error");
      await expect.poll(() => lastError.count(), { timeout: IMPORT_WAIT, interval: 1_000 }).toBe(1);
      await expect(lastError.textContent()).resolves.toMatch(
        /^Last error \(.+\): IMAP 127\.0\.0\.1:1 refused the connection; check the port and the encryption setting$/,
      );

      // Back in Japanese, the same stored error is worded in Japanese.
      await phone.goto(`${team.srv.baseUrl}/#/settings`);
      await phone.getByTestId("language").selectOption("ja");
      await phone.getByRole("button", { name: "Save", exact: true }).first().click();
      await phone.getByRole("button", { name: "保存", exact: true }).first().waitFor({ timeout: WAIT });
      await phone.goto(`${team.srv.baseUrl}/#/admin/connectors`);
      await expect(lastError.textContent({ timeout: WAIT })).resolves.toMatch(
        /^最後のエラー（.+）: IMAP 127\.0\.0\.1:1 に接続を拒否されました。ポート番号と暗号化の設定を確認してください$/,
      );
      phone.once("dialog", (d) => void d.accept());
      await refusedCard.getByRole("button", { name: "削除", exact: true }).click();
      await phone.getByText("つながっている外部メールボックスはありません。").waitFor({ timeout: WAIT });
      await phone.context().close();
    },
    IMPORT_WAIT + 30_000,
  );

  it("does not show the admin area to an agent", async () => {
    const agent = await team.openPage(DESKTOP);
    await team.login(agent, "sato@example.co.jp");
    await expect(agent.getByRole("link", { name: "管理", exact: true }).count()).resolves.toBe(0);
    await agent.goto(`${team.srv.baseUrl}/#/admin/connectors`);
    await agent.getByText("この画面は管理者のみ利用できます。").waitFor({ timeout: WAIT });
    await expect(agent.getByText("外部メールボックスを追加").count()).resolves.toBe(0);
    await agent.context().close();
    expect(team.pageErrors).toEqual([]);
  });
});
