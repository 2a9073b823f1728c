import {
  AppError,
  addSharedInbox,
  aliasesOf,
  changeInboxAliases,
  changeInboxMembers,
  findInboxByAddress,
  listInboxes,
} from "@madoguchi/core";
import { type Command, listOption, stringOption, UsageError } from "./command";
import { formatTable } from "./table";

const add: Command = {
  path: ["inbox", "add"],
  usage: "inbox add <address> --name <name> [--members <email,…>]",
  summary: "Create a shared inbox (e.g. info@) worked by a team",
  help: [
    "Options:",
    "  --name <name>          display name, e.g. お問い合わせ",
    "  --members <email,…>    users who work this inbox (comma-separated or repeated)",
    "Example:",
    "  npx madoguchi inbox add info@example.co.jp --name お問い合わせ --members yamada@example.co.jp",
  ],
  options: { name: { type: "string" }, members: { type: "string", multiple: true } },
  positionals: 1,
  async run(input) {
    const name = stringOption(input, "name", add);
    const memberEmails = listOption(input.values.members);
    const inbox = await input.withCore((ctx) =>
      addSharedInbox(ctx, { address: input.positionals[0] ?? "", name, memberEmails }),
    );
    const who = memberEmails.length ? `members: ${memberEmails.join(", ")}` : "no members yet";
    console.log(`Added shared inbox ${inbox.address} (${inbox.name}), ${who}.`);
    return 0;
  },
};

const members: Command = {
  path: ["inbox", "members"],
  usage: "inbox members <address> [--add <email,…>] [--remove <email,…>]",
  summary: "Add or remove members of a shared inbox",
  help: [
    "Options:",
    "  --add <email,…>        users to add (comma-separated or repeated)",
    "  --remove <email,…>     users to remove",
    "Both may be given; the change is applied in one step or not at all.",
  ],
  options: { add: { type: "string", multiple: true }, remove: { type: "string", multiple: true } },
  positionals: 1,
  async run(input) {
    const address = input.positionals[0] ?? "";
    const addEmails = listOption(input.values.add);
    const removeEmails = listOption(input.values.remove);
    if (!addEmails.length && !removeEmails.length) throw new UsageError("give --add or --remove", members);
    const now = await input.withCore(async (ctx) => {
      await changeInboxMembers(ctx, address, { add: addEmails, remove: removeEmails });
      const wanted = address.trim().toLowerCase();
      const inbox = (await listInboxes(ctx, { kind: "shared" })).find((i) => i.address === wanted);
      return inbox?.members.map((m) => m.email) ?? [];
    });
    console.log(`Members of ${address.trim().toLowerCase()}: ${now.length ? now.join(", ") : "(none)"}`);
    return 0;
  },
};

const aliases: Command = {
  path: ["inbox", "aliases"],
  usage: "inbox aliases <address> [--add <address,…>] [--remove <address,…>]",
  summary: "Show, add or remove other addresses of an inbox (mail to them lands in it)",
  help: [
    "Options:",
    "  --add <address,…>      addresses to add, at domains served here (comma-separated or repeated)",
    "  --remove <address,…>   addresses to remove",
    "Without options, prints the inbox's aliases. Members may send as an alias too.",
    "Example:",
    "  npx madoguchi inbox aliases info@example.co.jp --add otoiawase@example.co.jp,info@example.jp",
  ],
  options: { add: { type: "string", multiple: true }, remove: { type: "string", multiple: true } },
  positionals: 1,
  async run(input) {
    const given = input.positionals[0] ?? "";
    const add = listOption(input.values.add);
    const remove = listOption(input.values.remove);
    const { address, now } = await input.withCore(async (ctx) => {
      const inbox = await findInboxByAddress(ctx.db, given);
      if (!inbox) throw new AppError("NOT_FOUND", `No inbox ${given.trim().toLowerCase()}`);
      const after =
        add.length || remove.length
          ? await changeInboxAliases(ctx, inbox.id, { add, remove })
          : await aliasesOf(ctx.db, inbox.id);
      return { address: inbox.address, now: after };
    });
    console.log(`Aliases of ${address}: ${now.length ? now.join(", ") : "(none)"}`);
    return 0;
  },
};

const list: Command = {
  path: ["inbox", "list"],
  usage: "inbox list [--shared | --personal]",
  summary: "List inboxes and their members",
  options: { shared: { type: "boolean" }, personal: { type: "boolean" } },
  positionals: 0,
  async run({ values, withCore }) {
    if (values.shared && values.personal) throw new UsageError("give --shared or --personal, not both", list);
    const kind = values.shared ? "shared" : values.personal ? "personal" : undefined;
    const inboxes = await withCore((ctx) => listInboxes(ctx, { kind }));
    if (!inboxes.length) {
      console.log("No inboxes yet. Add one: npx madoguchi inbox add info@example.co.jp --name お問い合わせ");
      return 0;
    }
    console.log(
      formatTable(
        ["ADDRESS", "NAME", "KIND", "MEMBERS", "ALIASES"],
        inboxes.map((i) => [
          i.address,
          i.name,
          i.kind,
          i.members.map((m) => m.email).join(", ") || "-",
          i.aliases.join(", ") || "-",
        ]),
      ),
    );
    return 0;
  },
};

export const inboxCommands: Command[] = [add, members, aliases, list];
