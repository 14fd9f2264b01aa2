// The widget's own words in the conversation's written standard, bokmål ("nb") or nynorsk ("nn"),
// from texts.json. The gateway decides the standard (it follows what the worker writes, from the
// deployment's LANGUAGE) and sends it with the new conversation and every reply; until then the
// embedding tag's data-language="nn", or a page in nynorsk (<html lang="nn">), says it.
import TEXTS from "./texts.json";

export const LANGUAGE_KEY = "rop-veiviser-language";
const listeners = [];

function pageLanguage(script) {
  const asked = (script && script.dataset.language) || document.documentElement.lang || "";
  return asked.toLowerCase().startsWith("nn") ? "nn" : "nb";
}

let current = "nb";

// Called once when the script loads (document.currentScript is only set then).
export function startLanguage(script) {
  current = JSON.parse(sessionStorage.getItem(LANGUAGE_KEY) || "null") || pageLanguage(script);
}

export function say(key) {
  return TEXTS[current][key];
}

// The gateway's word; the labels already on screen are written again in it.
export function setLanguage(language) {
  if (!(language in TEXTS) || language === current) return;
  current = language;
  sessionStorage.setItem(LANGUAGE_KEY, JSON.stringify(language));
  listeners.forEach((relabel) => relabel());
}

export function onLanguage(relabel) {
  listeners.push(relabel);
}
