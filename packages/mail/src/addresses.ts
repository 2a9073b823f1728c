import type { AddressObject, EmailAddress } from "mailparser";
import type { MailAddress } from "./parse";
import { stripNulls } from "./text-clean";

/** Flattens mailparser's address objects (groups included) into plain mailboxes. */
export function toMailAddresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const flat = (list: EmailAddress[]): EmailAddress[] => list.flatMap((a) => (a.group ? flat(a.group) : [a]));
  return flat(objects.flatMap((o) => o.value))
    .filter((a) => a.address)
    .map((a) => ({ name: stripNulls(a.name).trim(), address: stripNulls(a.address ?? "").trim() }));
}
