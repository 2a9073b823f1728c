import { AUTH_FAILURES_BEFORE_LOCKOUT, AuthThrottle } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { expectTrpcError, startTestServer, TestClient, type TestServer } from "./support";

describe.each(drivers)("web auth (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(state.env);
  });
  afterAll(() => server?.close());

  it("logs in with a session cookie, answers me, and logs out", async () => {
    const c = new TestClient(server.url);
    expect(await c.trpc.auth.me.query()).toBeNull();
    const { user } = await c.login("ALICE@example.co.jp", "correct horse 1");
    expect(user).toMatchObject({ email: "alice@example.co.jp", name: "佐藤 愛", isAdmin: false });
    const cookie = c.lastSetCookie.find((s) => s.startsWith("madoguchi_session="));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    // Plain HTTP to 127.0.0.1: a Secure cookie would be dropped by the browser.
    expect(cookie).not.toMatch(/Secure/);
    expect((await c.trpc.auth.me.query())?.email).toBe("alice@example.co.jp");

    await c.trpc.auth.logout.mutate();
    expect(c.cookie).toBe("");
    expect(await c.trpc.auth.me.query()).toBeNull();
  });

  it("keeps the session server-side: a stolen cookie stops working at logout", async () => {
    const c = new TestClient(server.url);
    await c.login("bob@example.co.jp", "correct horse 2");
    const stolen = new TestClient(server.url);
    stolen.cookie = c.cookie;
    expect((await stolen.trpc.auth.me.query())?.email).toBe("bob@example.co.jp");
    await c.trpc.auth.logout.mutate();
    expect(await stolen.trpc.auth.me.query()).toBeNull();
    await expectTrpcError(() => stolen.trpc.inbox.list.query(), "UNAUTHORIZED");
  });

  it("says what went wrong in plain words, the same for unknown user and wrong password", async () => {
    const c = new TestClient(server.url);
    const wrong = await expectTrpcError(() => c.login("alice@example.co.jp", "nope"), "UNAUTHORIZED");
    const unknown = await expectTrpcError(() => c.login("nobody@example.co.jp", "nope"), "UNAUTHORIZED");
    expect(wrong.messageKey).toBe("auth.invalid");
    expect(wrong.userMessage.ja).toBe("メールアドレスまたはパスワードが正しくありません。");
    expect(unknown.userMessage).toEqual(wrong.userMessage);
    const invalid = await expectTrpcError(
      () => c.trpc.auth.login.mutate({ email: "", password: "x" }),
      "BAD_REQUEST",
    );
    expect(invalid.issues?.[0]?.path).toBe("email");
  });

  it("refuses mutations without the CSRF header or from a foreign Origin", async () => {
    const c = new TestClient(server.url);
    c.csrf = false;
    const refused = await expectTrpcError(
      () => c.login("alice@example.co.jp", "correct horse 1"),
      "FORBIDDEN",
    );
    expect(refused.messageKey).toBe("error.csrf");
    c.csrf = true;
    await c.login("alice@example.co.jp", "correct horse 1");
    c.csrf = false;
    await expectTrpcError(() => c.trpc.auth.logout.mutate(), "FORBIDDEN");
    // Queries are reads and need no header.
    expect((await c.trpc.auth.me.query())?.email).toBe("alice@example.co.jp");

    // A cross-site form or fetch: foreign Origin, even with the header.
    const res = await fetch(`${server.url}/api/trpc/auth.logout`, {
      method: "POST",
      headers: {
        cookie: c.cookie,
        "x-madoguchi-csrf": "1",
        origin: "https://evil.example",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect((await c.trpc.auth.me.query())?.email).toBe("alice@example.co.jp");
  });

  it("changes the password after checking the current one and logs out the other sessions", async () => {
    const laptop = new TestClient(server.url);
    const phone = new TestClient(server.url);
    await laptop.login("carol@example.co.jp", "correct horse 3");
    await phone.login("carol@example.co.jp", "correct horse 3");
    const wrong = await expectTrpcError(
      () => laptop.trpc.auth.changePassword.mutate({ currentPassword: "nope", newPassword: "new secret 33" }),
      "BAD_REQUEST",
    );
    expect(wrong.messageKey).toBe("auth.currentPasswordWrong");
    const short = await expectTrpcError(
      () =>
        laptop.trpc.auth.changePassword.mutate({ currentPassword: "correct horse 3", newPassword: "short" }),
      "BAD_REQUEST",
    );
    expect(short.messageKey).toBe("auth.passwordTooShort");
    await laptop.trpc.auth.changePassword.mutate({
      currentPassword: "correct horse 3",
      newPassword: "new secret 33",
    });
    expect((await laptop.trpc.auth.me.query())?.email).toBe("carol@example.co.jp");
    expect(await phone.trpc.auth.me.query()).toBeNull();
    await expectTrpcError(() => phone.login("carol@example.co.jp", "correct horse 3"), "UNAUTHORIZED");
    await phone.login("carol@example.co.jp", "new secret 33");
    const profile = await phone.trpc.auth.updateProfile.mutate({ locale: "en", timeZone: "Europe/Berlin" });
    expect(profile).toMatchObject({ locale: "en", timeZone: "Europe/Berlin" });
    await expectTrpcError(
      () => phone.trpc.auth.updateProfile.mutate({ timeZone: "Mars/Olympus" }),
      "BAD_REQUEST",
    );
  });

  it("uses the shared per-address throttle: a locked-out address is told how long to wait", async () => {
    const throttle = new AuthThrottle();
    const locked = await startTestServer(state.env, { throttle });
    try {
      const c = new TestClient(locked.url);
      await expectTrpcError(() => c.login("bob@example.co.jp", "bad"), "UNAUTHORIZED");
      // The other failures as if from IMAP/POP3 on the same address (their delays are not waited for here).
      for (let i = 1; i < AUTH_FAILURES_BEFORE_LOCKOUT; i++) throttle.recordFailure("127.0.0.1");
      const data = await expectTrpcError(
        () => c.login("bob@example.co.jp", "correct horse 2"),
        "TOO_MANY_REQUESTS",
      );
      expect(data.messageKey).toBe("auth.locked");
      expect(data.details.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      await locked.close();
    }
  });
});
