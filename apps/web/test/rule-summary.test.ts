import { describe, expect, it } from "vitest";
import type { Label, Member, Rule } from "../src/api/client";
import { en } from "../src/i18n/en";
import { type Lang, translate } from "../src/i18n/format";
import { ja } from "../src/i18n/ja";
import { ruleSummary } from "../src/rules/rule-summary";

const i18n = (lang: Lang) => ({
  lang,
  t: (key: keyof typeof ja, params?: Record<string, string | number>) =>
    translate(lang === "ja" ? ja : en, key, params),
});

const members: Member[] = [{ userId: 2, email: "sato@example.co.jp", name: "佐藤", role: "member" }];
const labels: Label[] = [
  { id: 7, inboxId: 1, name: "請求", color: "gray", createdAt: "2025-01-01T00:00:00.000Z" },
  { id: 8, inboxId: 1, name: "VIP", color: "red", createdAt: "2025-01-01T00:00:00.000Z" },
];
const rule: Pick<Rule, "conditions" | "actions"> = {
  conditions: [
    { field: "from", value: "@bigclient.co.jp" },
    { field: "subject", value: "請求" },
  ],
  actions: { assigneeId: 2, labelIds: [7], status: "in_progress" },
};

describe("a rule in one line", () => {
  it("reads its conditions and actions in Japanese", () => {
    expect(ruleSummary(rule, { members, labels }, i18n("ja"))).toBe(
      "差出人に「@bigclient.co.jp」を含む かつ 件名に「請求」を含む → 佐藤に割り当て・ラベル「請求」・対応中",
    );
  });

  it("reads them in English", () => {
    expect(ruleSummary(rule, { members, labels }, i18n("en"))).toBe(
      "From contains “@bigclient.co.jp” and Subject contains “請求” → assign to 佐藤 · label “請求” · set to In progress",
    );
  });

  it("names only what it does, labels deleted since left out and a departed assignee said so", () => {
    const only = { ...rule, actions: { assigneeId: 9, labelIds: [8, 7, 99], status: null } };
    expect(ruleSummary(only, { members, labels }, i18n("ja"))).toBe(
      "差出人に「@bigclient.co.jp」を含む かつ 件名に「請求」を含む → （メンバーではないユーザー）に割り当て・ラベル「請求」、「VIP」",
    );
  });
});
