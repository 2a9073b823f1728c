import { AppError, addUser, findUserByEmail, listUsers, setPassword } from "@madoguchi/core";
import { type Command, stringOption } from "./command";
import { formatDate, formatTable } from "./table";

const add: Command = {
  path: ["user", "add"],
  usage: "user add <email> --name <name> --password <password> [--admin]",
  summary: "Create a user and their personal inbox at <email>",
  help: [
    "Options:",
    "  --name <name>          display name, e.g. 山田 花子",
    "  --password <password>  at least 8 characters",
    "  --admin                may manage domains, users and inboxes in the web app",
    "The user's domain must be added first (madoguchi domain add).",
    "Example:",
    "  npx madoguchi user add yamada@example.co.jp --name '山田 花子' --password 'correct horse' --admin",
  ],
  options: {
    name: { type: "string" },
    password: { type: "string" },
    admin: { type: "boolean" },
  },
  positionals: 1,
  async run(input) {
    const name = stringOption(input, "name", add);
    const password = stringOption(input, "password", add);
    const user = await input.withCore((ctx) =>
      addUser(ctx, {
        email: input.positionals[0] ?? "",
        name,
        password,
        isAdmin: input.values.admin === true,
      }),
    );
    console.log(
      `Added ${user.isAdmin ? "administrator" : "user"} ${user.email} (${user.name}) with a personal inbox.`,
    );
    return 0;
  },
};

const list: Command = {
  path: ["user", "list"],
  usage: "user list",
  summary: "List users",
  positionals: 0,
  async run({ withCore }) {
    const users = await withCore((ctx) => listUsers(ctx));
    if (!users.length) {
      console.log(
        "No users yet. Add one: npx madoguchi user add <email> --name <name> --password <password>",
      );
      return 0;
    }
    console.log(
      formatTable(
        ["EMAIL", "NAME", "ROLE", "STATUS", "ADDED"],
        users.map((u) => [
          u.email,
          u.name,
          u.isAdmin ? "admin" : "member",
          !u.active ? "disabled" : u.mustChangePassword ? "must change password" : "active",
          formatDate(u.createdAt),
        ]),
      ),
    );
    return 0;
  },
};

const password: Command = {
  path: ["user", "password"],
  usage: "user password <email> --password <password>",
  summary: "Set a user's password (e.g. after a one-time password was lost)",
  options: { password: { type: "string" } },
  positionals: 1,
  async run(input) {
    const newPassword = stringOption(input, "password", password);
    const email = input.positionals[0] ?? "";
    await input.withCore(async (ctx) => {
      const user = await findUserByEmail(ctx.db, email);
      if (!user) throw new AppError("NOT_FOUND", `No such user: ${email}`);
      await setPassword(ctx, user.id, newPassword);
    });
    console.log(`Password of ${email.trim().toLowerCase()} changed.`);
    return 0;
  },
};

export const userCommands: Command[] = [add, list, password];
