import { describe, expect, it } from "vitest";
import { mentionsAttachment, shouldWarnMissingAttachment } from "../src/lib/attachment-mention";

describe("attachment mention warning", () => {
  it("finds Japanese and English mentions", () => {
    expect(mentionsAttachment("請求書を添付いたします。")).toBe(true);
    expect(mentionsAttachment("資料を同封しました")).toBe(true);
    expect(mentionsAttachment("Please find the invoice attached.")).toBe(true);
    expect(mentionsAttachment("See the attachment")).toBe(true);
    expect(mentionsAttachment("お問い合わせありがとうございます。")).toBe(false);
    expect(mentionsAttachment("This is an attack vector")).toBe(false);
  });

  it("ignores the quoted original", () => {
    expect(mentionsAttachment("承知しました。\n\n> 添付の資料をご確認ください")).toBe(false);
  });

  it("warns only when nothing is attached", () => {
    expect(shouldWarnMissingAttachment("添付をご確認ください", 0)).toBe(true);
    expect(shouldWarnMissingAttachment("添付をご確認ください", 1)).toBe(false);
    expect(shouldWarnMissingAttachment("よろしくお願いします", 0)).toBe(false);
  });
});
