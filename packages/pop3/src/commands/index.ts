import type { Pop3Command } from "../command";
import { auth } from "./auth";
import { capa } from "./capa";
import { dele } from "./dele";
import { list } from "./list";
import { noop } from "./noop";
import { pass } from "./pass";
import { quit } from "./quit";
import { retr } from "./retr";
import { rset } from "./rset";
import { stat } from "./stat";
import { stls } from "./stls";
import { top } from "./top";
import { uidl } from "./uidl";
import { user } from "./user";

/** Every command the server knows, by upper-case name. APOP is absent on purpose (MD5 of a cleartext secret). */
export const COMMANDS: ReadonlyMap<string, Pop3Command> = new Map([
  ["CAPA", capa],
  ["STLS", stls],
  ["USER", user],
  ["PASS", pass],
  ["AUTH", auth],
  ["STAT", stat],
  ["LIST", list],
  ["UIDL", uidl],
  ["RETR", retr],
  ["TOP", top],
  ["DELE", dele],
  ["RSET", rset],
  ["NOOP", noop],
  ["QUIT", quit],
]);
