/** RFC 2449 / RFC 3206 response codes this server sends. */
export type RespCode = "AUTH" | "SYS/TEMP" | "SYS/PERM" | "IN-USE";

/** A POP3 status line; protocol failures are data, not exceptions. */
export interface Reply {
  ok: boolean;
  code?: RespCode;
  text: string;
}

export const ok = (text: string): Reply => ({ ok: true, text });
export const err = (text: string, code?: RespCode): Reply => ({ ok: false, code, text });

export function formatReply(reply: Reply): string {
  const code = reply.code ? `[${reply.code}] ` : "";
  return `${reply.ok ? "+OK" : "-ERR"}${reply.text || code ? " " : ""}${code}${reply.text}\r\n`;
}
