import { describe, expect, it } from "vitest";
import { isWhitespace, searchGramsOf } from "../src/deliver/message-fields";

/** The definition, written the plain way: characters and pairs of each whitespace-free run. */
function gramsByDefinition(text: string): string[] {
  const grams = new Set<string>();
  for (const run of text.toLowerCase().split(/\s+/)) {
    const chars = Array.from(run);
    for (const [i, ch] of chars.entries()) {
      grams.add(ch);
      if (i > 0) grams.add(`${chars[i - 1]}${ch}`);
    }
  }
  return [...grams];
}

/** A seeded generator, so a failure names an input that can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("searchGramsOf", () => {
  it("treats as whitespace exactly what \\s matches", () => {
    const differing: number[] = [];
    for (let cp = 0; cp <= 0xffff; cp++)
      if (isWhitespace(cp) !== /\s/.test(String.fromCharCode(cp))) differing.push(cp);
    for (const cp of [0x10000, 0x1f600, 0x10ffff]) if (isWhitespace(cp)) differing.push(cp);
    expect(differing).toEqual([]);
  });

  it("gives the characters and pairs of the definition, in order of first appearance", () => {
    const pieces = [
      " ",
      "\r\n",
      "\t",
      "\u3000",
      "\u00a0",
      "A",
      "b",
      "請",
      "求",
      "書",
      "😀",
      "İ",
      "ẞ",
      "x1",
      "Ｑ",
    ];
    const next = random(7);
    for (let n = 0; n < 500; n++) {
      let text = "";
      const length = Math.floor(next() * 40);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)];
      expect(searchGramsOf(text), JSON.stringify(text)).toEqual(gramsByDefinition(text));
    }
    expect(searchGramsOf("Ab 請求書")).toEqual(["a", "b", "ab", "請", "求", "請求", "書", "求書"]);
    expect(searchGramsOf("😀😀 😀")).toEqual(["😀", "😀😀"]);
  });
});
