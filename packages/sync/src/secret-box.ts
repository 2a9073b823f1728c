import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Sealed format: "v1:" + base64(iv[12] | tag[16] | ciphertext). The version allows a later key rotation. */
const PREFIX = "v1:";
const KEY_BYTES = 32;
export const KEY_FILE_NAME = "connector-secret.key";

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretKeyError";
  }
}

/** AES-256-GCM: authenticated, so a tampered or wrong-key value fails loudly instead of decrypting to junk. */
export function sealSecret(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

export function openSecret(key: Buffer, sealed: string): string {
  if (!sealed.startsWith(PREFIX)) throw new SecretKeyError("Stored password is not in a known sealed format");
  const bytes = Buffer.from(sealed.slice(PREFIX.length), "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretKeyError(
      "Stored connector password cannot be decrypted: MADOGUCHI_SECRET_KEY differs from the key it was sealed with",
    );
  }
}

/** 32 bytes given as 64 hex digits or base64. */
export function parseSecretKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (key.length !== KEY_BYTES)
    throw new SecretKeyError("MADOGUCHI_SECRET_KEY must be 32 bytes as 64 hex digits or base64");
  return key;
}

/**
 * The key from configuration (MADOGUCHI_SECRET_KEY) when given; otherwise a key file under the
 * data directory, created once (mode 0600, exclusive create so two starting processes agree).
 * Multi-node deployments must set the variable: the file would differ per node.
 */
export function loadSecretKey(options: { key?: string; dataDir: string }): Buffer {
  if (options.key) return parseSecretKey(options.key);
  const file = path.join(options.dataDir, KEY_FILE_NAME);
  fs.mkdirSync(options.dataDir, { recursive: true });
  try {
    const fd = fs.openSync(file, "wx", 0o600);
    try {
      fs.writeSync(fd, `${randomBytes(KEY_BYTES).toString("hex")}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return parseSecretKey(fs.readFileSync(file, "utf8"));
}
