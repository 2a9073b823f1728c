import { describe, expect, it } from "vitest";
import { parseAddressList } from "../src/mime/address";
import { renderStructure } from "../src/mime/render";
import { parseSection, resolveSection } from "../src/mime/sections";
import { indexMime } from "../src/mime/structure";
import type { flatten } from "../src/protocol/encode";
import { CommandFramer, type FramerEvent } from "../src/protocol/framer";
import { decodeMutf7, encodeMutf7 } from "../src/protocol/mutf7";
import { formatSet, parseSequenceSet } from "../src/protocol/sequence";
import { tokenize } from "../src/protocol/tokens";

function frames(input: string[], maxLiteral = 1000, maxLine = 200) {
  const events: FramerEvent[] = [];
  let continues = 0;
  const f = new CommandFramer({
    maxLiteralBytes: maxLiteral,
    maxLineBytes: maxLine,
    onContinue: () => continues++,
    onEvent: (e) => events.push(e),
  });
  for (const chunk of input) f.push(Buffer.from(chunk));
  return { events, continues };
}

const text = (chunks: ReturnType<typeof flatten>) =>
  Buffer.concat(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : (c as Buffer)))).toString("utf8");

describe("framer", () => {
  it("joins a command split across packets and reads synchronizing and LITERAL+ literals", () => {
    const { events, continues } = frames(["a1 LOGIN {5}\r", "\nalice {3+}\r\nabc\r\na2 NOOP\r\n"]);
    expect(continues).toBe(1);
    expect(events).toHaveLength(2);
    const first = events[0];
    if (first?.kind !== "frame") throw new Error("expected a frame");
    expect(first.frame.literals.map((l) => l.toString())).toEqual(["alice", "abc"]);
    const tokens = tokenize(first.frame);
    expect(tokens.map((t) => (t.type === "list" ? "()" : t.value))).toEqual(["a1", "LOGIN", "alice", "abc"]);
  });

  it("refuses an oversized synchronizing literal without reading it, and skips an oversized LITERAL+", () => {
    const a = frames(["a1 APPEND INBOX {5000}\r\n", "a2 NOOP\r\n"]);
    expect(a.continues).toBe(0);
    expect(a.events[0]).toEqual({ kind: "tooBig", tag: "a1", what: "literal" });
    expect(a.events[1]?.kind).toBe("frame");
    const b = frames([`a1 APPEND INBOX {1500+}\r\n${"x".repeat(1500)}\r\na2 NOOP\r\n`]);
    expect(b.events[0]).toEqual({ kind: "tooBig", tag: "a1", what: "literal" });
    expect(b.events[1]?.kind).toBe("frame");
  });

  it("discards an over-long line and keeps going", () => {
    const { events } = frames([`a1 SEARCH ${"X".repeat(500)}`, "\r\na2 NOOP\r\n"]);
    expect(events[0]).toEqual({ kind: "tooBig", tag: "a1", what: "line" });
    expect(events[1]?.kind).toBe("frame");
  });
});

describe("tokenizer", () => {
  it("keeps a section with a field list as one atom and parses quoted strings with escapes", () => {
    const { events } = frames(['a FETCH 1 (BODY.PEEK[HEADER.FIELDS (From To)]<0.100> "a \\"q\\" \\\\")\r\n']);
    const e = events[0];
    if (e?.kind !== "frame") throw new Error("frame expected");
    const [, , , list] = tokenize(e.frame);
    expect(list).toEqual({
      type: "list",
      items: [
        { type: "atom", value: "BODY.PEEK[HEADER.FIELDS (From To)]<0.100>" },
        { type: "string", value: 'a "q" \\', bytes: Buffer.from('a "q" \\'), literal: false },
      ],
    });
  });

  it("rejects unbalanced parentheses and unterminated strings", () => {
    for (const bad of ["a FETCH 1 (FLAGS\r\n", 'a LOGIN "x\r\n', "a X )\r\n"]) {
      const e = frames([bad]).events[0];
      if (e?.kind !== "frame") throw new Error("frame expected");
      expect(() => tokenize(e.frame)).toThrow();
    }
  });
});

describe("modified UTF-7", () => {
  it("round-trips Japanese folder names and escapes &", () => {
    for (const name of [
      "請求書",
      "受信箱/2024年",
      "A&B",
      "~peter/mail/台北/日本語",
      "Shared/info@example.co.jp/対応済み",
    ]) {
      expect(decodeMutf7(encodeMutf7(name))).toBe(name);
    }
    expect(encodeMutf7("~peter/mail/台北/日本語")).toBe("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    expect(encodeMutf7("A&B")).toBe("A&-B");
    expect(decodeMutf7("&Jjo!")).toBeUndefined();
  });
});

describe("sequence sets", () => {
  it("parses ranges, * and $ and formats compactly", () => {
    expect(parseSequenceSet("1:3,5,7:*")).toEqual({
      saved: false,
      ranges: [
        { from: 1, to: 3 },
        { from: 5, to: 5 },
        { from: 7, to: Number.POSITIVE_INFINITY },
      ],
    });
    expect(parseSequenceSet("$")).toEqual({ saved: true });
    expect(() => parseSequenceSet("0")).toThrow();
    expect(() => parseSequenceSet("1:x")).toThrow();
    expect(formatSet([5, 1, 2, 3, 9, 10])).toBe("1:3,5,9:10");
  });
});

const nested = [
  "From: A <a@example.com>",
  "Subject: outer",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "preamble",
  "--outer",
  "Content-Type: multipart/alternative; boundary=inner",
  "",
  "--inner",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "plain body",
  "--inner",
  "Content-Type: text/html; charset=utf-8",
  "",
  "<p>html</p>",
  "--inner--",
  "--outer",
  "Content-Type: message/rfc822",
  'Content-Disposition: attachment; filename="fwd.eml"',
  "",
  "From: B <b@example.com>",
  "Subject: inner message",
  "",
  "inner text",
  "line two",
  "--outer",
  "Content-Type: application/pdf; name=a.pdf",
  "Content-Transfer-Encoding: base64",
  "",
  "AAAA",
  "--outer--",
  "epilogue",
].join("\r\n");

describe("MIME index", () => {
  const buf = Buffer.from(nested);
  const tree = indexMime(buf);
  const section = (spec: string) => {
    const d = resolveSection(tree.root, parseSection(spec));
    if ("range" in d) return buf.subarray(d.range[0], d.range[1]).toString();
    if ("build" in d) return d.build(buf).toString();
    return null;
  };

  it("numbers parts as RFC 3501 §6.4.5 does", () => {
    expect(section("1.1")).toBe("plain body");
    expect(section("1.2")).toBe("<p>html</p>");
    expect(section("1.2.MIME")).toBe("Content-Type: text/html; charset=utf-8\r\n\r\n");
    expect(section("2.HEADER")).toBe("From: B <b@example.com>\r\nSubject: inner message\r\n\r\n");
    expect(section("2.TEXT")).toBe("inner text\r\nline two");
    expect(section("2.1")).toBe("inner text\r\nline two");
    expect(section("3")).toBe("AAAA");
    expect(section("HEADER.FIELDS (SUBJECT)")).toBe("Subject: outer\r\n\r\n");
    expect(section("9")).toBeNull();
  });

  it("renders an exact BODYSTRUCTURE for nested multiparts and message/rfc822", () => {
    expect(text(renderStructure(tree.root, true))).toBe(
      '((("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 10 1 NIL NIL NIL NIL)' +
        '("text" "html" ("charset" "utf-8") NIL NIL "7bit" 11 1 NIL NIL NIL NIL) "alternative" ("boundary" "inner") NIL NIL NIL)' +
        '("message" "rfc822" NIL NIL NIL "7bit" 71 ' +
        '(NIL "inner message" (("B" NIL "b" "example.com")) (("B" NIL "b" "example.com")) (("B" NIL "b" "example.com")) NIL NIL NIL NIL NIL) ' +
        '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 20 2 NIL NIL NIL NIL) 5 NIL ("attachment" ("filename" "fwd.eml")) NIL NIL)' +
        '("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 4 NIL NIL NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL)',
    );
  });
});

describe("addresses", () => {
  it("parses names, groups and bare addresses", () => {
    expect(parseAddressList('"Sato, Ai" <ai@example.jp>, bob@example.jp (Bob)')).toEqual([
      { name: "Sato, Ai", adl: null, mailbox: "ai", host: "example.jp" },
      { name: "Bob", adl: null, mailbox: "bob", host: "example.jp" },
    ]);
    expect(parseAddressList("team: a@x.jp, b@x.jp;")).toEqual([
      { name: null, adl: null, mailbox: "team", host: null },
      { name: null, adl: null, mailbox: "a", host: "x.jp" },
      { name: null, adl: null, mailbox: "b", host: "x.jp" },
      { name: null, adl: null, mailbox: null, host: null },
    ]);
  });
});
