import { createContext, type ReactNode, useContext, useMemo } from "react";
import { en } from "./en";
import { dateFormatter, type Lang, type Params, translate } from "./format";
import { ja, type MessageKey, type Messages } from "./ja";

export type { Lang } from "./format";
export type { MessageKey } from "./ja";

const catalogs: Record<Lang, Messages> = { ja, en };
const LANG_KEY = "madoguchi.lang";

export function isMessageKey(key: string): key is MessageKey {
  return key in ja;
}

/** Before login (no user preference yet): the last language used on this browser, else Japanese. */
export function storedLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "ja";
  } catch {
    return "ja";
  }
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // private mode: the server-side preference still applies after login
  }
}

export interface I18n {
  lang: Lang;
  t: (key: MessageKey, params?: Params) => string;
  dates: ReturnType<typeof dateFormatter>;
}

function makeI18n(lang: Lang, timeZone: string | undefined): I18n {
  const messages = catalogs[lang];
  return { lang, t: (key, params) => translate(messages, key, params), dates: dateFormatter(lang, timeZone) };
}

const I18nContext = createContext<I18n>(makeI18n("ja", undefined));

export function I18nProvider(props: { lang: Lang; timeZone: string | undefined; children: ReactNode }) {
  const value = useMemo(() => makeI18n(props.lang, props.timeZone), [props.lang, props.timeZone]);
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export const useI18n = (): I18n => useContext(I18nContext);
