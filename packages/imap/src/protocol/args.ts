import { ParseError, type Token } from "./tokens";

/** Reads a command's arguments one by one; every mismatch is a ParseError (answered BAD). */
export class ArgReader {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new ParseError(`Missing ${what}`);
    return t;
  }

  /** An atom, upper-cased when `upper`. */
  atom(what: string, upper = true): string {
    const t = this.next(what);
    if (t.type !== "atom") throw new ParseError(`Expected ${what}`);
    return upper ? t.value.toUpperCase() : t.value;
  }

  /** atom or string; `bytes` keeps the raw octets (SEARCH with a CHARSET decodes them later). */
  astring(what: string): string {
    const t = this.next(what);
    if (t.type === "list") throw new ParseError(`Expected ${what}`);
    return t.value;
  }

  astringToken(what: string): Exclude<Token, { type: "list" }> {
    const t = this.next(what);
    if (t.type === "list") throw new ParseError(`Expected ${what}`);
    return t;
  }

  string(what: string): string {
    const t = this.next(what);
    if (t.type !== "string") throw new ParseError(`Expected ${what} as a string`);
    return t.value;
  }

  list(what: string): Token[] {
    const t = this.next(what);
    if (t.type !== "list") throw new ParseError(`Expected ${what} as a list`);
    return t.items;
  }

  optionalList(): Token[] | undefined {
    const t = this.peek();
    if (t?.type !== "list") return undefined;
    this.i++;
    return t.items;
  }

  number(what: string, max = 2 ** 32 - 1): number {
    const t = this.next(what);
    return toNumber(t, what, max);
  }

  /** mod-sequence-value: up to 2^63-1 in the RFC; JavaScript numbers are exact to 2^53. */
  modseq(what: string): number {
    return this.number(what, Number.MAX_SAFE_INTEGER);
  }

  /** All remaining tokens (SEARCH parses its own grammar). */
  rest(): Token[] {
    const out = this.tokens.slice(this.i);
    this.i = this.tokens.length;
    return out;
  }

  end(): void {
    if (!this.done) throw new ParseError("Too many arguments");
  }
}

export function toNumber(t: Token | undefined, what: string, max = 2 ** 32 - 1): number {
  if (t?.type !== "atom" || !/^\d{1,19}$/.test(t.value)) throw new ParseError(`Expected ${what} as a number`);
  const n = Number(t.value);
  if (n > max) throw new ParseError(`${what} out of range`);
  return n;
}

export function atomOf(t: Token | undefined): string | undefined {
  return t?.type === "atom" ? t.value.toUpperCase() : undefined;
}
