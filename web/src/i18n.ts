// The message catalogue in use: zh-CN unless the user chose English
// (remembered in localStorage). t() fills `{name}` parameters.
import { en, zh, type MessageKey } from "./messages";

export type Lang = "zh" | "en";

const LANG_KEY = "evald.lang";

export function currentLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
  } catch {
    return "zh";
  }
}

export function setLang(lang: Lang): void {
  localStorage.setItem(LANG_KEY, lang);
}

export function translate(
  lang: Lang,
  key: MessageKey,
  params: Record<string, string | number | bigint> = {},
): string {
  const text = (lang === "en" ? en[key] : undefined) ?? zh[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function t(
  key: MessageKey,
  params: Record<string, string | number | bigint> = {},
): string {
  return translate(currentLang(), key, params);
}

// A message key built from an enum name ("grade." + "GOOD"); unknown names
// are shown as they are rather than hidden.
export function tEnum(prefix: string, name: string): string {
  const key = `${prefix}.${name}` as MessageKey;
  return key in zh ? t(key) : name;
}
