import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { generate } from "selfsigned";

export interface TlsMaterial {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, printed so users can compare what their mail client shows. */
  fingerprint256: string;
  selfSigned: boolean;
}

/** Self-signed certificates last this long; a configured certificate is used as given. */
const SELF_SIGNED_DAYS = 825;

/**
 * The certificate every protocol listener uses: the configured key/cert files when given,
 * otherwise a self-signed one created at first start under `dir` and reused afterwards.
 */
export async function loadOrCreateTls(options: {
  dir: string;
  hostname: string;
  keyFile?: string;
  certFile?: string;
}): Promise<TlsMaterial> {
  if (options.keyFile || options.certFile) {
    if (!options.keyFile || !options.certFile)
      throw new Error("TLS needs both a key file and a certificate file");
    const key = fs.readFileSync(options.keyFile, "utf8");
    const cert = fs.readFileSync(options.certFile, "utf8");
    return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256, selfSigned: false };
  }
  const keyPath = path.join(options.dir, "self-signed.key");
  const certPath = path.join(options.dir, "self-signed.crt");
  if (fs.existsSync(keyPath) && fs.existsSync(certPath)) {
    const cert = fs.readFileSync(certPath, "utf8");
    return {
      key: fs.readFileSync(keyPath, "utf8"),
      cert,
      fingerprint256: new X509Certificate(cert).fingerprint256,
      selfSigned: true,
    };
  }
  const { key, cert } = await createSelfSigned(options.hostname);
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyPath, key, { mode: 0o600 });
  fs.writeFileSync(certPath, cert);
  return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256, selfSigned: true };
}

export async function createSelfSigned(hostname: string): Promise<{ key: string; cert: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: "commonName", value: hostname }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + SELF_SIGNED_DAYS * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: hostname },
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
