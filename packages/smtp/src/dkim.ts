import { type CoreContext, ensureDkimKey } from "@madoguchi/core";
import { dkimSign } from "mailauth";

/** Headers covered by our signature; From is signed twice so no second From can be added. */
const SIGNED_HEADERS = [
  "from",
  "from",
  "to",
  "cc",
  "subject",
  "date",
  "message-id",
  "in-reply-to",
  "references",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "reply-to",
];

/** Prepends a DKIM-Signature of the sending domain (its key is created on first use). */
export async function signOutbound(ctx: CoreContext, raw: Buffer, domain: string): Promise<Buffer> {
  const key = await ensureDkimKey(ctx, domain);
  const signature = {
    signingDomain: domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    algorithm: "rsa-sha256",
    canonicalization: "relaxed/relaxed",
  };
  // mailauth signs only what is listed in signatureData; top-level fields alone sign nothing.
  const result = await dkimSign(raw, {
    ...signature,
    headerList: SIGNED_HEADERS,
    signatureData: [signature],
  });
  const [error] = result.errors;
  if (error) throw error;
  if (!result.signatures.startsWith("DKIM-Signature:"))
    throw new Error(`DKIM signing for ${domain} produced no signature`);
  return Buffer.concat([Buffer.from(result.signatures), raw]);
}
