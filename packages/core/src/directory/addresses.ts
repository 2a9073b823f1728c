import { AppError } from "../errors";

// Deliberately simple: a local part of atext/dots and a domain of LDH labels. Quoted local
// parts and address literals are legal (RFC 5321) but not accepted as addresses we host.
const ADDRESS_RE =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const DOMAIN_RE = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Lower-cases and validates an address we host; throws INVALID_INPUT with a readable message. */
export function normalizeAddress(input: string): { address: string; local: string; domain: string } {
  const address = input.trim().toLowerCase();
  if (address.length > 254 || !ADDRESS_RE.test(address)) {
    throw new AppError("INVALID_INPUT", `"${input}" is not a valid email address`);
  }
  const at = address.lastIndexOf("@");
  return { address, local: address.slice(0, at), domain: address.slice(at + 1) };
}

export function normalizeDomain(input: string): string {
  const domain = input.trim().toLowerCase().replace(/\.$/, "");
  if (domain.length > 253 || !DOMAIN_RE.test(domain)) {
    throw new AppError("INVALID_INPUT", `"${input}" is not a valid domain name`);
  }
  return domain;
}
