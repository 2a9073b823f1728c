import { describe, expect, it } from "vitest";
import { parseLoginName } from "../src/login-name";
import { MessageEncoder } from "../src/message-encoder";

function encode(input: string | Buffer, bodyLines?: number, chunkSize = 1 << 16): string {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input, "latin1");
  const encoder = new MessageEncoder(bodyLines);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length && !encoder.done; i += chunkSize) {
    out.push(encoder.push(bytes.subarray(i, i + chunkSize)));
  }
  out.push(encoder.end());
  return Buffer.concat(out).toString("latin1");
}

describe("MessageEncoder", () => {
  const raw = "Subject: x\r\nFrom: a@b\r\n\r\n.first\r\nsecond\r\n..third\r\n.\r\nlast\r\n";
  const stuffed = "Subject: x\r\nFrom: a@b\r\n\r\n..first\r\nsecond\r\n...third\r\n..\r\nlast\r\n";

  it("byte-stuffs lines that start with a dot and leaves CRLF text alone", () => {
    expect(encode(raw)).toBe(stuffed);
  });

  it("gives the same bytes whatever the chunking", () => {
    for (const size of [1, 2, 3, 5, 7, 13]) expect(encode(raw, undefined, size)).toBe(stuffed);
  });

  it("turns bare LF and lone CR into CRLF and ends an unterminated last line", () => {
    expect(encode("A: 1\n\nbody\rmore\n.dot")).toBe("A: 1\r\n\r\nbody\r\nmore\r\n..dot\r\n");
    expect(encode("A: 1\r")).toBe("A: 1\r\n");
    expect(encode("A: 1\r\r\nb", undefined, 1)).toBe("A: 1\r\n\r\nb\r\n");
    expect(encode("")).toBe("");
  });

  it("cuts TOP after the header and n body lines", () => {
    expect(encode(raw, 0)).toBe("Subject: x\r\nFrom: a@b\r\n\r\n");
    expect(encode(raw, 2)).toBe("Subject: x\r\nFrom: a@b\r\n\r\n..first\r\nsecond\r\n");
    expect(encode(raw, 2, 1)).toBe("Subject: x\r\nFrom: a@b\r\n\r\n..first\r\nsecond\r\n");
    expect(encode(raw, 99)).toBe(stuffed);
    expect(encode("A: 1\r\nB: 2\r\n", 0)).toBe("A: 1\r\nB: 2\r\n");
  });

  it("passes 8-bit and ISO-2022-JP bytes through untouched", () => {
    const jis = Buffer.from("Subject: x\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n\xff\xfe\r\n", "latin1");
    expect(encode(jis)).toBe(jis.toString("latin1"));
  });
});

describe("parseLoginName", () => {
  it("reads the own inbox, the slash form and the short slash form", () => {
    expect(parseLoginName("alice@example.co.jp")).toEqual({ email: "alice@example.co.jp" });
    expect(parseLoginName("alice@example.co.jp/info@example.co.jp")).toEqual({
      email: "alice@example.co.jp",
      maildrop: "info@example.co.jp",
    });
    expect(parseLoginName("alice@example.co.jp/info")).toEqual({
      email: "alice@example.co.jp",
      maildrop: "info@example.co.jp",
    });
  });

  it("takes the SASL authorization identity as the maildrop", () => {
    expect(parseLoginName("alice@example.co.jp", "info@example.co.jp")).toEqual({
      email: "alice@example.co.jp",
      maildrop: "info@example.co.jp",
    });
    expect(parseLoginName("alice@example.co.jp", "ALICE@example.co.jp")).toEqual({
      email: "alice@example.co.jp",
    });
    expect(parseLoginName("alice@example.co.jp/sales@example.co.jp", "info@example.co.jp")).toBeUndefined();
  });

  it("refuses names that are not addresses", () => {
    expect(parseLoginName("alice")).toBeUndefined();
    expect(parseLoginName("/info@example.co.jp")).toBeUndefined();
    expect(parseLoginName("")).toBeUndefined();
  });
});
