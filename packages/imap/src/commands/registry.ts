import { append } from "./append";
import { authenticate } from "./authenticate";
import { capability } from "./capability";
import { close, unselect } from "./close";
import { copy, move, uidCopy, uidMove } from "./copy";
import { enable } from "./enable";
import { expungeCmd, uidExpunge } from "./expunge";
import { fetch, uidFetch } from "./fetch";
import { create, deleteCmd, rename, subscribe, unsubscribe } from "./folders";
import { id } from "./id";
import { idle } from "./idle";
import { listCmd, lsub } from "./list";
import { login } from "./login";
import { logout } from "./logout";
import { namespace } from "./namespace";
import { check, noop } from "./noop";
import { search, uidSearch } from "./search";
import { examine, select } from "./select";
import { starttls } from "./starttls";
import { status } from "./status";
import { store, uidStore } from "./store";
import type { Command } from "./types";

const all: Command<never>[] = [
  capability,
  noop,
  check,
  logout,
  starttls,
  login,
  authenticate,
  id,
  enable,
  namespace,
  listCmd,
  lsub,
  status,
  select,
  examine,
  create,
  deleteCmd,
  rename,
  subscribe,
  unsubscribe,
  close,
  unselect,
  expungeCmd,
  uidExpunge,
  fetch,
  uidFetch,
  store,
  uidStore,
  copy,
  uidCopy,
  move,
  uidMove,
  append,
  search,
  uidSearch,
  idle,
] as unknown as Command<never>[];

/** Command name ("FETCH", "UID FETCH") → its spec; the dispatcher looks nothing up elsewhere. */
export const registry: ReadonlyMap<string, Command<never>> = new Map(all.map((c) => [c.name, c]));
