import { describe, expect, it } from "vitest";
import { hasReplyPrefix, normalizeSubject, SUBJECT_THREAD_WINDOW_MS } from "../src/threading";

describe("normalizeSubject", () => {
  it.each([
    ["Re: お問い合わせ", "お問い合わせ"],
    ["RE: RE: re: お問い合わせ", "お問い合わせ"],
    ["Re[2]: お問い合わせ", "お問い合わせ"],
    ["Re^3: お問い合わせ", "お問い合わせ"],
    ["Re(4): お問い合わせ", "お問い合わせ"],
    ["Fwd: FW: Fw: お問い合わせ", "お問い合わせ"],
    ["AW: WG: SV: VS: TR: Antw: お問い合わせ", "お問い合わせ"],
    ["返信: 転送: お問い合わせ", "お問い合わせ"],
    ["Ｒｅ：お問い合わせ", "お問い合わせ"],
    ["Re：お問い合わせ", "お問い合わせ"],
    ["ＲＥ： ＦＷ：お問い合わせ", "お問い合わせ"],
    ["[info:01234] Re: お問い合わせ", "お問い合わせ"],
    ["Re: [info:01235] Re: お問い合わせ", "お問い合わせ"],
    ["  Re:   見積り　の   件  ", "見積り の 件"],
    ["【重要】Re: 請求書", "【重要】Re: 請求書"],
    ["ﾃｽﾄ", "テスト"],
    ["Reply needed", "Reply needed"],
    ["Regarding: x", "Regarding: x"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(normalizeSubject(input)).toBe(expected);
  });

  it("gives a reply and its original the same key", () => {
    expect(normalizeSubject("Re: Ｒｅ：[sales:00012] ご注文の件")).toBe(normalizeSubject("ご注文の件"));
  });
});

describe("hasReplyPrefix", () => {
  it.each([
    ["Re: x", true],
    ["RE[2]: x", true],
    ["Ｒｅ：x", true],
    ["返信: x", true],
    ["AW: x", true],
    ["[info:1] Re: x", true],
    ["Fwd: x", false],
    ["転送: x", false],
    ["FW: Re: x", false],
    ["x", false],
    ["Reply needed", false],
    ["【重要】Re: 請求書", false],
  ])("%j → %s", (input, expected) => {
    expect(hasReplyPrefix(input)).toBe(expected);
  });
});

it("keeps the subject-threading window at 72 hours", () => {
  expect(SUBJECT_THREAD_WINDOW_MS).toBe(72 * 3600 * 1000);
});
