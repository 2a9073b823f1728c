import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { attachmentContent } from "../src/attachment-content";
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

  it("reads only as far as the preview needs, with the result of reading it all", () => {
    // The definition: every line split off, filtered, joined and collapsed, then cut.
    const byDefinition = (text: string, length: number) => {
      const lines = text.split(/\r?\n/);
      const signature = lines.findIndex((line) => line === "-- " || line === "--");
      const visible = (signature >= 0 ? lines.slice(0, signature) : lines).filter(
        (line) => !/^\s*(?:>|＞)/.test(line),
      );
      return Array.from(visible.join(" ").replace(/\s+/g, " ").trim()).slice(0, length).join("");
    };
    const pieces = [" ", "\n", "\r\n", "\r", ">", "＞", "-- \n", "--", "a", "請", "😀", "\u3000", "\t"];
    let state = 11;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let n = 0; n < 2000; n++) {
      let text = "";
      for (let i = Math.floor(next() * 60); i > 0; i--)
        text +=
          next() < 0.1 ? "x".repeat(Math.floor(next() * 120)) : pieces[Math.floor(next() * pieces.length)];
      for (const length of [200, 5])
        expect(makeSnippet(text, length), JSON.stringify(text)).toBe(byDefinition(text, length));
    }
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

  it("repairs text parts and header lines in its one pass, and leaves attachments byte for byte", async () => {
    const sjis = (text: string) => iconv.encode(text, "Shift_JIS");
    const attached = sjis("添付の本文です。");
    const raw = Buffer.concat([
      Buffer.from(
        "From: sales@example.jp\r\nSubject: test\r\nMIME-Version: 1.0\r\n" +
          'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' +
          "--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
      ),
      sjis("お見積りをお送りします。\r\n㈱マドグチ"),
      Buffer.from(
        '\r\n--b\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Disposition: attachment; filename="',
      ),
      sjis("見積書.txt"),
      Buffer.from('"\r\n\r\n'),
      attached,
      Buffer.from("\r\n--b--\r\n"),
    ]);
    const parsed = await parseMessage(raw);
    // The line break before "--b" belongs to the boundary, not to the text.
    expect(parsed.text).toBe("お見積りをお送りします。\n㈱マドグチ");
    expect(parsed.charsetRepaired).toBe(true);
    expect(parsed.attachments).toMatchObject([{ filename: "見積書.txt", contentType: "text/plain" }]);
    const content = await attachmentContent(raw, 0);
    expect(content?.filename).toBe("見積書.txt");
    expect(content?.content.equals(attached)).toBe(true);
  });

  it("reports no repair for mail whose labels are right", async () => {
    const raw = Buffer.from(
      "From: a@example.jp\r\nSubject: =?UTF-8?B?5LiA?=\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 8bit\r\n\r\n本文です。\r\n",
    );
    const parsed = await parseMessage(raw);
    expect(parsed).toMatchObject({ subject: "一", text: "本文です。\n", charsetRepaired: false });
  });
});
