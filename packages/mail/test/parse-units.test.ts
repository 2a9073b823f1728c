import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeText } from "../src/charset";
import { parseDeliveryStatus } from "../src/dsn";
import { parseMessageIds } from "../src/message-id";
import { parseMessage } from "../src/parse";
import { makeSnippet } from "../src/snippet";
import { extractUuencoded } from "../src/uuencode";

describe("decodeText", () => {
  it("trusts a matching multibyte label and repairs a weak one", () => {
    const sjis = iconv.encode("お問い合わせ", "cp932");
    expect(decodeText(sjis, "Shift_JIS")).toEqual({
      text: "お問い合わせ",
      charset: "CP932",
      repaired: false,
    });
    expect(decodeText(sjis, "us-ascii")).toMatchObject({ text: "お問い合わせ", repaired: true });
    expect(decodeText(iconv.encode("お問い合わせ", "euc-jp"), null)).toMatchObject({
      text: "お問い合わせ",
      charset: "EUC-JP",
    });
  });

  it("re-reads bytes that are invalid in their multibyte label", () => {
    expect(decodeText(iconv.encode("請求書です", "cp932"), "utf-8")).toMatchObject({
      text: "請求書です",
      repaired: true,
    });
  });

  it("leaves genuine Latin-1 alone", () => {
    expect(decodeText(iconv.encode("Grüße", "latin1"), "iso-8859-1")).toEqual({
      text: "Grüße",
      charset: "ISO-8859-1",
      repaired: false,
    });
  });
});

describe("makeSnippet", () => {
  it("drops quotes and the signature, collapses whitespace and cuts at 200 characters", () => {
    expect(makeSnippet("a\n> quoted\n＞ 全角引用\nb\u3000 c\n-- \nsig")).toBe("a b c");
    const long = makeSnippet("😀".repeat(300));
    expect(Array.from(long)).toHaveLength(200);
    expect(long).toBe("😀".repeat(200));
  });
});

describe("parseMessageIds", () => {
  it("strips brackets, ignores comments and tolerates missing spaces or brackets", () => {
    expect(parseMessageIds("<a@x>(comment) <b@x><c@x>")).toEqual(["a@x", "b@x", "c@x"]);
    expect(parseMessageIds("bare@x other@x")).toEqual(["bare@x", "other@x"]);
    expect(parseMessageIds("")).toEqual([]);
  });
});

describe("extractUuencoded", () => {
  it("does not cut text that only looks like a begin line", () => {
    const text = "begin 644 notes.txt\nthis is not uuencoding at all\nend\n";
    expect(extractUuencoded(text)).toEqual({ text, files: [] });
  });
});

describe("parseDeliveryStatus", () => {
  it("returns null without a recipient block", () => {
    expect(parseDeliveryStatus("Reporting-MTA: dns; mx.example.jp\n")).toBeNull();
  });
});

describe("parseMessage", () => {
  it("parses an empty message to an empty result instead of throwing", async () => {
    const parsed = await parseMessage(Buffer.alloc(0));
    expect(parsed).toMatchObject({
      subject: "",
      from: null,
      messageId: null,
      date: null,
      attachments: [],
      dsn: null,
    });
  });
});
