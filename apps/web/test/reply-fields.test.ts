import { describe, expect, it } from "vitest";
import { checkBeforeSend } from "../src/compose/send-checks";
import {
  internalDomainsOf,
  type MessageForReply,
  ownAddressesOf,
  quoteOriginal,
  replyFields,
  replySubject,
} from "../src/lib/reply-fields";

const inbound: MessageForReply = {
  direction: "inbound",
  subject: "請求書について",
  from: { name: "山田 太郎", address: "yamada@client.co.jp" },
  to: [
    { name: "サポート", address: "support@example.co.jp" },
    { name: null, address: "sato@client.co.jp" },
  ],
  cc: [
    { name: null, address: "Support@example.co.jp" },
    { name: null, address: "keiri@client.co.jp" },
  ],
  text: "よろしくお願いします",
  date: null,
  receivedAt: "2025-01-01T00:00:00Z",
};

describe("reply fields", () => {
  it("reply goes to the sender of the newest inbound message", () => {
    const f = replyFields([inbound], { name: null, address: "x@y.jp" }, ["support@example.co.jp"], "reply");
    expect(f).toEqual({ to: "山田 太郎 <yamada@client.co.jp>", cc: "", subject: "Re: 請求書について" });
  });

  it("reply-all adds the other recipients but never the shared inbox itself", () => {
    const f = replyFields([inbound], { name: null, address: null }, ["support@example.co.jp"], "replyAll");
    expect(f.cc).toBe("sato@client.co.jp, keiri@client.co.jp");
  });

  it("does not stack Re: prefixes", () => {
    expect(replySubject("Re: 件名")).toBe("Re: 件名");
    expect(replySubject("RE：件名")).toBe("RE：件名");
    expect(replySubject("件名")).toBe("Re: 件名");
  });

  it("quotes the original under an attribution line", () => {
    expect(quoteOriginal("一行目\n> 昔の引用", "山田さんは書きました:")).toBe(
      "山田さんは書きました:\n> 一行目\n>> 昔の引用",
    );
    expect(quoteOriginal("  ", "x")).toBe("");
  });
});

describe("own addresses", () => {
  const inbox = { address: "info@example.co.jp", aliases: ["otoiawase@example.co.jp", "info@example.jp"] };
  const me = { email: "alice@example.co.jp" };

  it("are the inbox's, its aliases' and the agent's", () => {
    expect(ownAddressesOf(inbox, me)).toEqual([
      "info@example.co.jp",
      "otoiawase@example.co.jp",
      "info@example.jp",
      "alice@example.co.jp",
    ]);
    expect(ownAddressesOf(undefined, me)).toEqual(["alice@example.co.jp"]);
  });

  it("make a recipient at an alias's domain internal in the send confirmation", () => {
    const check = checkBeforeSend(
      { to: "yamada@client.co.jp", cc: "tanaka@example.jp", bcc: "", subject: "件名", body: "本文" },
      { internalDomains: internalDomainsOf(ownAddressesOf(inbox, me)), attachmentCount: 0 },
    );
    expect(check.ok && check.recipients.map((r) => [r.address, r.external])).toEqual([
      ["yamada@client.co.jp", true],
      ["tanaka@example.jp", false],
    ]);
    expect(check.ok && check.externalDomains).toEqual(["client.co.jp"]);
  });
});
