import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dovecot, startDovecot } from "../../../packages/sync/test/dovecot";
import { type DataDir, drivers, freshDataDir, runCli, runCliHere } from "./processes";

describe.each(drivers)("connector CLI with the password on stdin (%s)", (driver) => {
  let data: DataDir;
  let dovecot: Dovecot;
  const add = (...extra: string[]) => [
    "connector",
    "add",
    "info@example.co.jp",
    "--imap-host",
    "127.0.0.1",
    "--imap-port",
    String(dovecot.port),
    "--imap-tls",
    "none",
    "--imap-user",
    dovecot.user,
    ...extra,
  ];

  beforeAll(async () => {
    [data, dovecot] = await Promise.all([freshDataDir(driver), startDovecot()]);
    // The setting up, and the steps that read no stdin, run the CLI's entry here (runCliHere).
    expect((await runCliHere(["domain", "add", "example.co.jp"], data.settings)).code).toBe(0);
    const inbox = await runCliHere(
      ["inbox", "add", "info@example.co.jp", "--name", "お問い合わせ"],
      data.settings,
    );
    expect(inbox.code).toBe(0);
  });
  afterAll(async () => {
    await dovecot?.stop();
    await data?.remove();
  });

  it("refuses an empty stdin or passwords given twice, saving nothing", async () => {
    const empty = await runCli(add("--password-stdin"), data.settings, "");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--password-stdin: no password on stdin");
    const both = await runCli(
      add("--password-stdin", "--imap-password", "x"),
      data.settings,
      `${dovecot.password}\n`,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("either on stdin (--password-stdin) or as options, not both");
    const list = await runCliHere(["connector", "list"], data.settings);
    expect(list.stdout).toContain("No connected mailboxes");
  });

  it("stores the piped password (the provider accepts it) and never prints it", async () => {
    const added = await runCli(add("--password-stdin"), data.settings, `${dovecot.password}\n`);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`IMAP auth: logged in as ${dovecot.user}`);
    expect(added.stderr).toBe("");
    // A later run, with no password anywhere on its command line, logs in with the stored one.
    const tested = await runCliHere(["connector", "test", "info@example.co.jp"], data.settings);
    expect(tested.code, tested.stdout).toBe(0);
    expect(tested.stdout).toContain("ok   IMAP auth");
    for (const out of [added.stdout, added.stderr, tested.stdout, tested.stderr])
      expect(out).not.toContain(dovecot.password);
  });
});
