import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestRequest } from "../src/ingest/ingest";
import { IngestPool } from "../src/ingest/ingest-pool";

const request = (text: string): IngestRequest => ({
  raw: Buffer.from(
    `From: a@customer.example\r\nSubject: ${text}\r\nMessage-ID: <${text}@x>\r\n\r\n${text}\r\n`,
  ),
  ip: "127.0.0.1",
  helo: "client.example",
  sender: "a@customer.example",
  sessionId: "test",
  protocol: "ESMTP",
  now: Date.now(),
});

describe("ingest worker pool", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-ingest-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const data = () => ({
    hostname: "mx.example.co.jp",
    dnsServers: ["127.0.0.1:9"],
    blobsDir: path.join(dir, "blobs"),
    dmarcRejectAction: "reject" as const,
  });

  it("verifies, stamps, stores and parses in a worker thread", async () => {
    const pool = new IngestPool(2, data());
    try {
      const results = await Promise.all(["one", "two", "three"].map((t) => pool.run(request(t))));
      for (const [i, r] of results.entries()) {
        if (r.dmarcRejected) throw new Error("rejected");
        expect(r.mailbox).toBe("INBOX");
        expect(r.content.parsed?.subject).toBe(["one", "two", "three"][i]);
        // The result comes before the blob's fsyncs are done: the listener waits for them to commit.
        await r.content.synced;
        const stored = fs.readFileSync(
          new FsBlobStore(data().blobsDir).pathOf(r.content.blob.hash),
          "latin1",
        );
        expect(stored).toMatch(/^Return-Path: <a@customer\.example>\r\nReceived: from client\.example/);
        expect(stored).toContain("Authentication-Results: mx.example.co.jp;");
      }
    } finally {
      await pool.close();
    }
  });

  it("fails the messages of a worker that dies, replaces it, and goes on", async () => {
    const dying = new URL("./support/dying-ingest-worker.ts", import.meta.url).href;
    const pool = new IngestPool(1, data(), dying);
    try {
      const first = await pool.run(request("before"));
      expect(first.dmarcRejected).toBe(false);
      await expect(pool.run(request("DIE"))).rejects.toThrow(/ingest worker stopped: exit code 3/);
      const after = await pool.run(request("after"));
      expect(after.dmarcRejected ? null : after.content.parsed?.subject).toBe("after");
    } finally {
      await pool.close();
    }
    await expect(pool.run(request("closed"))).rejects.toThrow(/stopped/);
  });

  it("fails the blob's sync of a result given just before its worker died", async () => {
    const dying = new URL("./support/dying-ingest-worker.ts", import.meta.url).href;
    const pool = new IngestPool(1, data(), dying);
    try {
      const result = await pool.run(request("LATE"));
      if (result.dmarcRejected) throw new Error("rejected");
      expect(result.content.parsed?.subject).toBe("LATE");
      await expect(result.content.synced).rejects.toThrow(/ingest worker stopped: exit code 4/);
    } finally {
      await pool.close();
    }
  });
});
