/** Who logs in and which maildrop they want (undefined = their own INBOX). */
export interface LoginName {
  email: string;
  maildrop?: string;
}

/**
 * Splits a POP3 login name. `alice@example.co.jp` opens Alice's own INBOX;
 * `alice@example.co.jp/info@example.co.jp` opens the shared inbox info@ (Alice's password);
 * `alice@example.co.jp/info` is short for a shared inbox in Alice's own domain. With SASL
 * PLAIN the shared address may instead come as the authorization identity.
 */
export function parseLoginName(name: string, authzid = ""): LoginName | undefined {
  const slash = name.indexOf("/");
  const email = (slash < 0 ? name : name.slice(0, slash)).trim();
  let maildrop = slash < 0 ? "" : name.slice(slash + 1).trim();
  if (!email.includes("@")) return undefined;
  const authz = authzid.trim();
  if (authz && authz.toLowerCase() !== email.toLowerCase()) {
    if (maildrop && maildrop.toLowerCase() !== authz.toLowerCase()) return undefined;
    maildrop = authz;
  }
  if (!maildrop) return { email };
  if (!maildrop.includes("@")) maildrop = `${maildrop}${email.slice(email.lastIndexOf("@"))}`;
  return { email, maildrop };
}
