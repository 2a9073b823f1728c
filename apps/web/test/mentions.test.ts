import { describe, expect, it } from "vitest";
import { insertMention, matchMembers, mentionQueryAt, mentionToken } from "../src/chat/mentions";

const members = [
  { userId: 1, name: "田中 一郎", email: "tanaka@example.co.jp" },
  { userId: 2, name: "Sato Hanako", email: "sato@example.co.jp" },
  { userId: 3, name: "佐藤 次郎", email: "sato@branch.example.co.jp" },
];

describe("@mention autocomplete", () => {
  it("finds the query being typed before the caret", () => {
    expect(mentionQueryAt("確認お願いします @tan", 13)).toEqual({ start: 9, query: "tan" });
    expect(mentionQueryAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQueryAt("mail@example", 12)).toBeNull();
  });

  it("matches names and addresses, prefixes first", () => {
    expect(matchMembers(members, "田中").map((m) => m.userId)).toEqual([1]);
    expect(matchMembers(members, "sato").map((m) => m.userId)).toEqual([2, 3]);
  });

  it("inserts the local part, or the full address when the local part is shared", () => {
    expect(mentionToken(members[0] as (typeof members)[0], members)).toBe("@tanaka");
    expect(mentionToken(members[2] as (typeof members)[0], members)).toBe("@sato@branch.example.co.jp");
    expect(insertMention("見て @ta", { start: 3, query: "ta" }, "@tanaka")).toEqual({
      text: "見て @tanaka ",
      caret: 11,
    });
  });
});
