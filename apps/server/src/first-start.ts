import { randomBytes } from "node:crypto";
import {
  AppError,
  addDomain,
  addUser,
  type CoreContext,
  countUsers,
  isAppError,
  normalizeAddress,
} from "@madoguchi/core";

export type FirstStart =
  | { kind: "has users" }
  | { kind: "needs admin" }
  | { kind: "created admin"; email: string; password: string };

/**
 * An empty database has nobody who can log in. With MADOGUCHI_ADMIN_EMAIL the server creates
 * that administrator itself (and the domain, if missing) with a one-time password to be
 * changed at first login; without it the caller prints how to create one with the CLI.
 */
export async function prepareFirstStart(
  ctx: CoreContext,
  adminEmail: string | undefined,
): Promise<FirstStart> {
  if ((await countUsers(ctx.db)) > 0) return { kind: "has users" };
  if (!adminEmail) return { kind: "needs admin" };
  const password = randomBytes(12).toString("base64url");
  let address: string;
  try {
    const normalized = normalizeAddress(adminEmail);
    address = normalized.address;
    await ignoreConflict(addDomain(ctx, normalized.domain));
    await addUser(ctx, { email: address, name: "管理者", password, isAdmin: true, mustChangePassword: true });
  } catch (err) {
    // Several servers starting at once on one PostgreSQL: another one created it first.
    if (isAppError(err, "CONFLICT")) return { kind: "has users" };
    if (err instanceof AppError) throw new AppError(err.code, `MADOGUCHI_ADMIN_EMAIL: ${err.message}`);
    throw err;
  }
  return { kind: "created admin", email: address, password };
}

async function ignoreConflict(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    if (!isAppError(err, "CONFLICT")) throw err;
  }
}

/** What to tell the operator; `cliCanRunAlongside` is false for the embedded database, which one process holds. */
export function firstStartMessage(state: FirstStart, cliCanRunAlongside: boolean): string[] {
  if (state.kind === "has users") return [];
  if (state.kind === "created admin") {
    return [
      "",
      `First start: created the administrator ${state.email}`,
      `  One-time password: ${state.password}`,
      "  It is shown only this once; it must be changed at the first login.",
    ];
  }
  const commands = [
    "    npx madoguchi domain add example.co.jp",
    "    npx madoguchi user add admin@example.co.jp --name 管理者 --password '<8 characters or more>' --admin",
  ];
  return [
    "",
    "First start: there are no users yet. Create the first administrator:",
    ...(cliCanRunAlongside
      ? ["  in another terminal, run", ...commands]
      : [
          "  stop the server (Ctrl+C; the embedded database allows one process at a time), then run",
          ...commands,
          "    npm start",
        ]),
    "  or start with MADOGUCHI_ADMIN_EMAIL=admin@example.co.jp to have it created with a one-time password.",
  ];
}
