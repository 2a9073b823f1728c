import { execFile } from "node:child_process";
import net from "node:net";
import nodemailer from "nodemailer";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a real client program (swaks, python3), bounded in time. */
export function run(
  file: string,
  args: string[],
  input?: string,
  timeoutMs = 30_000,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === "number"
            ? Number((err as { code: number }).code)
            : 1
          : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs a Python snippet with smtplib; the script prints what the test checks. */
export function python(script: string): Promise<CommandResult> {
  return run("python3", ["-c", script]);
}

/**
 * A raw SMTP session: sends `lines` (optionally all at once, pipelined) and collects every
 * reply line until the server closes or `untilReplies` complete replies have arrived.
 */
export function transcript(
  port: number,
  lines: string[],
  options: { pipelined?: boolean; untilReplies: number; beforeGreeting?: boolean; timeoutMs?: number },
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const replies: string[] = [];
    let buffer = "";
    let sent = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`transcript timed out; got ${JSON.stringify(replies)}`));
    }, options.timeoutMs ?? 10_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(replies);
    };
    const sendNext = () => {
      if (options.pipelined) {
        socket.write(lines.map((l) => `${l}\r\n`).join(""));
        sent = lines.length;
      } else if (sent < lines.length) {
        socket.write(`${lines[sent++]}\r\n`);
      }
    };
    if (options.beforeGreeting) sendNext();
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let nl = buffer.indexOf("\r\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        replies.push(line);
        // A final line of a reply ("250 ok", not "250-…") completes one reply.
        if (/^\d{3} /.test(line)) {
          const complete = replies.filter((r) => /^\d{3} /.test(r)).length;
          if (complete >= options.untilReplies) return finish();
          if (!options.pipelined || sent === 0) sendNext();
        }
        nl = buffer.indexOf("\r\n");
      }
    });
    socket.on("close", finish);
    socket.on("error", () => finish());
  });
}

/** nodemailer on the STARTTLS submission port, signed in as alice (createTeam's first member). */
export function submissionAsAlice(port: number) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: "alice@example.co.jp", pass: "correct horse 1" },
  });
}
