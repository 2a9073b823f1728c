import { USER_MESSAGES } from "@madoguchi/api/router";
import { describe, expect, it } from "vitest";
import { en } from "../src/i18n/en";
import { interpolate, paramsOf } from "../src/i18n/format";
import { ja } from "../src/i18n/ja";

describe("i18n", () => {
  it("has the same keys in Japanese and English", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });

  it("uses the same {placeholders} in both languages", () => {
    const mismatched = Object.keys(ja).filter(
      (k) => paramsOf(ja[k as keyof typeof ja]).join() !== paramsOf(en[k as keyof typeof en]).join(),
    );
    expect(mismatched).toEqual([]);
  });

  it("has no empty messages", () => {
    expect(Object.entries(ja).filter(([, v]) => !v.trim())).toEqual([]);
    expect(Object.entries(en).filter(([, v]) => !v.trim())).toEqual([]);
  });

  it("can say every error the API sends in plain words", () => {
    const missing = Object.keys(USER_MESSAGES).filter((k) => !(k in ja));
    expect(missing).toEqual([]);
  });

  it("interpolates and leaves unknown parameters visible", () => {
    expect(interpolate("{name}さんが返信中", { name: "田中" })).toBe("田中さんが返信中");
    expect(interpolate("{a} {b}", { a: 1 })).toBe("1 {b}");
  });
});
