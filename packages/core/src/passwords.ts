import argon2 from "argon2";

/** argon2id's cost: memory in KiB, passes, lanes. */
export interface PasswordCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** The library's defaults (64 MiB, t=3, p=4): above OWASP's minimum (19 MiB, t=2, p=1). */
export const DEFAULT_PASSWORD_COST: PasswordCost = { memoryCost: 65_536, timeCost: 3, parallelism: 4 };

let cost = DEFAULT_PASSWORD_COST;

/**
 * The cost of hashes made from now on in this process (MADOGUCHI_ARGON2). A stored hash names
 * its own cost, and is checked with that.
 */
export function setPasswordCost(next: PasswordCost): void {
  cost = next;
}

/**
 * "m=19456,t=2,p=1": argon2's own notation, as in a stored hash (any order); undefined if it is
 * not that.
 */
export function parsePasswordCost(text: string): PasswordCost | undefined {
  const pairs = new Map<string, number>();
  for (const part of text.trim().split(",")) {
    const m = /^([mtp])=(\d{1,7})$/.exec(part.trim());
    if (!m?.[1] || pairs.has(m[1])) return undefined;
    pairs.set(m[1], Number(m[2]));
  }
  const [memoryCost, timeCost, parallelism] = [pairs.get("m"), pairs.get("t"), pairs.get("p")];
  if (memoryCost === undefined || timeCost === undefined || parallelism === undefined) return undefined;
  // argon2's own bounds: at least 8 KiB per lane, one pass, 1-255 lanes.
  if (timeCost < 1 || parallelism < 1 || parallelism > 255 || memoryCost < 8 * parallelism) return undefined;
  return { memoryCost, timeCost, parallelism };
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
