import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { deliver } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { type ImapTestEnv, startImap } from "./helpers";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "imaplib_client.py");

describe.each(drivers)("Python imaplib over TLS (%s)", (driver) => {
  let t: ImapTestEnv;
  beforeAll(async () => {
    t = await startImap(driver);
    await deliver(t.env.ctx, t.team.info.id, mail({ subject: "Hello" }));
    await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "請求書のご確認", body: "請求書を添付しました。" }),
    );
  });
  afterAll(async () => t?.close());

  it("logs in, lists, selects, searches in Japanese, fetches, stores, appends and copies", async () => {
    const { stdout } = await promisify(execFile)("python3", [script, String(t.tlsPort)], { timeout: 30_000 });
    const out = JSON.parse(stdout);
    expect(out.login).toBe("OK");
    expect(out.list).toContain('(\\HasNoChildren \\Sent) "/" Shared/info@example.co.jp/Sent');
    expect(out.exists).toBe(2);
    expect(out.search_utf8).toEqual(["2"]);
    // mail() bodies all mention 請求書 by default: both match BODY.
    expect(out.search_jis).toEqual(["1", "2"]);
    expect(out.fetch).toMatch(
      /BODYSTRUCTURE \("text" "plain" \("charset" "UTF-8"\) NIL NIL "8bit" \d+ \d+ NIL NIL NIL NIL\)/,
    );
    expect(out.store).toMatch(/FLAGS \(\\Flagged \$Status_InProgress\)/);
    expect(out.append[0]).toBe("OK");
    expect(out.append[1]).toMatch(/^\d+ 1$/);
    expect(out.copy[1]).toMatch(/^\d+ 2 1$/);
    expect(out.select_missing).toEqual([
      "NO [NONEXISTENT] No such mailbox",
      "NO [NONEXISTENT] No such mailbox",
    ]);
    expect(out.logout).toBe("BYE");
  });
});
