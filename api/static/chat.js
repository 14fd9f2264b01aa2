// ROP-veiviser web chat: plain ES2020, no dependencies.
"use strict";

const SENDER_KEY = "rop-veiviser.sender";
const HISTORY_KEY = "rop-veiviser.history";
const SENDER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_LENGTH = 5000;
const COUNTER_FROM = 4500;
const REQUEST_TIMEOUT_MS = 90000;

const EXAMPLES = [
  "Hvem har ansvaret for individuell plan?",
  "Hvem skal følge opp bolig?",
  "Hva er hovedforløp 3?",
];

const TEXT = {
  welcome:
    "Hei! Spør meg om hvem som gjør hva for personer med rusproblemer og psykiske " +
    "lidelser (ROP). Svarene bygger på de nasjonale retningslinjene, og kilden står " +
    "under hvert svar.\n\nPrøv for eksempel:",
  you: "Du:",
  bot: "ROP-veiviser:",
  typing: "ROP-veiviser skriver …",
  retry: "Prøv igjen",
  network: "Får ikke kontakt med tjenesten. Sjekk nettet og prøv igjen.",
  timeout: "Svaret tar uvanlig lang tid. Prøv igjen om litt.",
  unavailable: "Tjenesten er midlertidig utilgjengelig. Prøv igjen om litt.",
  badReply: "Fikk et uventet svar fra tjenesten. Prøv igjen.",
  noAnswer: "Jeg fant ikke noe svar på dette. Prøv gjerne å spørre på en annen måte.",
  tooLong: "Meldingen er for lang (maks 5 000 tegn). Kort den ned eller del den i flere meldinger.",
  confirmReset: "Vil du starte en ny samtale? Samtalen på skjermen blir fjernet.",
  source: "Kilde:",
  sources: (count) => `Kilder (${count})`,
  untitled: "Uten tittel",
  failed: (status) => `Noe gikk galt (feilkode ${status}). Prøv igjen om litt.`,
};

const ui = {
  conversation: document.getElementById("conversation"),
  log: document.getElementById("log"),
  form: document.getElementById("composer"),
  input: document.getElementById("message"),
  send: document.getElementById("send"),
  counter: document.getElementById("char-count"),
  hint: document.getElementById("length-hint"),
  newChat: document.getElementById("new-chat"),
};

const numberFormat = new Intl.NumberFormat("nb-NO");

let sender = loadSender();
let history = loadHistory();
let pending = null; // AbortController of the request in flight, if any

// ---------- Storage ----------

function readStorage(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    // Storage can be full or blocked (private mode); the chat still works without it.
  }
}

function createSenderId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `web-${hex}`;
}

function loadSender() {
  const stored = readStorage(localStorage, SENDER_KEY);
  if (stored && SENDER_PATTERN.test(stored)) return stored;
  return renewSender();
}

function renewSender() {
  const id = createSenderId();
  writeStorage(localStorage, SENDER_KEY, id);
  return id;
}

function loadHistory() {
  try {
    const parsed = JSON.parse(readStorage(sessionStorage, HISTORY_KEY) || "[]");
    return Array.isArray(parsed) ? parsed.map(restoreEntry).filter(Boolean) : [];
  } catch {
    return [];
  }
}

function restoreEntry(stored) {
  if (!stored || typeof stored !== "object") return null;
  if (stored.from === "user") return typeof stored.text === "string" ? { from: "user", text: stored.text } : null;
  const entry = toBotEntry(stored);
  entry.chosen = Number.isInteger(stored.chosen) ? stored.chosen : null;
  return entry;
}

function saveHistory() {
  writeStorage(sessionStorage, HISTORY_KEY, JSON.stringify(history));
}

// ---------- Rendering ----------

function createElement(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function createMessage(from, text) {
  const message = createElement("div", `msg msg--${from}`);
  const bubble = createElement("div", "bubble");
  bubble.append(createElement("span", "visually-hidden", from === "user" ? TEXT.you : TEXT.bot));
  // A text node never parses HTML; CSS white-space keeps line breaks and «quotes» as written.
  bubble.append(document.createTextNode(text));
  message.append(bubble);
  return message;
}

function createChoices(items, onChoose) {
  const group = createElement("div", "choices");
  items.forEach((item, index) => {
    const button = createElement("button", "choice", item.title);
    button.type = "button";
    button.addEventListener("click", () => onChoose(item, index));
    group.append(button);
  });
  return group;
}

function sourceLabel(source) {
  const parts = [source.document, source.title].filter((part) => typeof part === "string" && part.trim());
  return parts.join(" – ") || TEXT.untitled;
}

function createDetails(label) {
  const details = createElement("details", "source");
  details.append(createElement("summary", "", label));
  details.addEventListener("toggle", () => {
    if (details.open) details.scrollIntoView({ block: "nearest" });
  });
  return details;
}

function createSourceDetails(source, label) {
  const details = createDetails(label);
  details.append(createElement("blockquote", "", source.text || ""));
  return details;
}

function createSources(sources) {
  const container = createElement("div", "sources");
  if (sources.length === 1) {
    container.append(createSourceDetails(sources[0], `${TEXT.source} ${sourceLabel(sources[0])}`));
    return container;
  }
  const group = createDetails(TEXT.sources(sources.length));
  sources.forEach((source) => group.append(createSourceDetails(source, sourceLabel(source))));
  container.append(group);
  return container;
}

function markChoice(group, chosenIndex) {
  Array.from(group.children).forEach((button, index) => {
    button.disabled = true;
    button.setAttribute("aria-pressed", String(index === chosenIndex));
  });
}

function renderBotEntry(entry) {
  const message = createMessage("bot", entry.text);
  if (!entry.text) message.querySelector(".bubble").remove();
  if (entry.buttons.length) {
    const group = createChoices(entry.buttons, (button, index) => chooseButton(entry, button, index, group));
    if (entry.chosen !== null) markChoice(group, entry.chosen);
    message.append(group);
  }
  if (entry.sources.length) message.append(createSources(entry.sources));
  return message;
}

function renderEntry(entry) {
  return entry.from === "user" ? createMessage("user", entry.text) : renderBotEntry(entry);
}

function renderWelcome() {
  const message = createMessage("bot", TEXT.welcome);
  const examples = EXAMPLES.map((text) => ({ title: text, payload: text }));
  message.append(createChoices(examples, (example) => submit(example.title)));
  return message;
}

function appendToLog(node) {
  ui.log.append(node);
  ui.conversation.scrollTop = ui.conversation.scrollHeight;
}

function renderConversation() {
  ui.log.replaceChildren(renderWelcome(), ...history.map(renderEntry));
  ui.conversation.scrollTo({ top: ui.conversation.scrollHeight, behavior: "instant" });
}

function showTyping() {
  const indicator = createElement("div", "msg msg--bot typing");
  const bubble = createElement("div", "bubble");
  const dots = createElement("span", "dots");
  dots.setAttribute("aria-hidden", "true");
  dots.append(createElement("span"), createElement("span"), createElement("span"));
  bubble.append(dots, createElement("span", "", TEXT.typing));
  indicator.append(bubble);
  appendToLog(indicator);
}

function hideTyping() {
  ui.log.querySelectorAll(".typing").forEach((node) => node.remove());
}

function showError(text, failedMessage) {
  const line = createElement("div", "error");
  const retry = createElement("button", "retry", TEXT.retry);
  retry.type = "button";
  retry.addEventListener("click", () => {
    line.remove();
    request(failedMessage);
  });
  line.append(createElement("p", "", text), retry);
  appendToLog(line);
  retry.focus({ preventScroll: true });
}

function clearErrors() {
  ui.log.querySelectorAll(".error").forEach((node) => node.remove());
}

// ---------- Conversation ----------

function addEntry(entry) {
  history.push(entry);
  saveHistory();
  appendToLog(renderEntry(entry));
}

function toBotEntry(message) {
  const isObject = message && typeof message === "object";
  const buttons = isObject && Array.isArray(message.buttons) ? message.buttons : [];
  const sources = isObject && Array.isArray(message.sources) ? message.sources : [];
  return {
    from: "bot",
    text: isObject && typeof message.text === "string" ? message.text : "",
    buttons: buttons.filter((b) => b && typeof b.title === "string" && typeof b.payload === "string"),
    sources: sources.filter((s) => s && typeof s === "object"),
    chosen: null,
  };
}

function hasContent(entry) {
  return Boolean(entry.text.trim() || entry.buttons.length || entry.sources.length);
}

function showReplies(messages) {
  const entries = messages.map(toBotEntry).filter(hasContent);
  if (!entries.length) entries.push(toBotEntry({ text: TEXT.noAnswer }));
  entries.forEach(addEntry);
}

function errorText(body, status) {
  if (body && typeof body.detail === "string" && body.detail.trim()) return body.detail;
  return status === 503 ? TEXT.unavailable : TEXT.failed(status);
}

async function postChat(message, signal) {
  let response;
  try {
    response = await fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ sender, message }),
      signal,
    });
  } catch (error) {
    throw signal.aborted ? error : new Error(TEXT.network);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(errorText(body, response.status));
  if (!body || !Array.isArray(body.messages)) throw new Error(TEXT.badReply);
  return body.messages;
}

async function request(message) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort("timeout"), REQUEST_TIMEOUT_MS);
  pending = controller;
  clearErrors();
  setBusy(true);
  showTyping();
  try {
    const messages = await postChat(message, controller.signal);
    if (pending === controller) showReplies(messages);
  } catch (error) {
    if (pending === controller) {
      hideTyping();
      showError(controller.signal.reason === "timeout" ? TEXT.timeout : error.message, message);
    }
  } finally {
    clearTimeout(timer);
    if (pending === controller) finishRequest();
  }
}

function finishRequest() {
  const hadError = ui.log.querySelector(".error") !== null;
  pending = null;
  hideTyping();
  setBusy(false);
  if (!hadError) focusInput();
}

function submit(displayText, payload = displayText) {
  const message = payload.trim();
  if (pending || !message) return false;
  addEntry({ from: "user", text: displayText.trim() });
  request(message);
  return true;
}

function chooseButton(entry, button, index, group) {
  if (pending) return;
  entry.chosen = index;
  markChoice(group, index);
  saveHistory();
  submit(button.title, button.payload);
}

function startNewConversation() {
  if (history.length && !window.confirm(TEXT.confirmReset)) return;
  const stale = pending;
  pending = null;
  if (stale) stale.abort("reset");
  history = [];
  writeStorage(sessionStorage, HISTORY_KEY, null);
  sender = renewSender();
  setBusy(false);
  clearInput();
  renderConversation();
  focusInput();
}

// ---------- Composer ----------

function setBusy(busy) {
  ui.input.disabled = busy;
  ui.send.disabled = busy;
}

function focusInput() {
  // Avoid popping up the on-screen keyboard on touch devices.
  if (!window.matchMedia("(pointer: coarse)").matches) ui.input.focus();
}

function messageLength() {
  return Array.from(ui.input.value.trim()).length;
}

function autogrow() {
  const input = ui.input;
  input.style.height = "auto";
  input.style.height = `${input.scrollHeight + input.offsetHeight - input.clientHeight}px`;
}

function updateLengthStatus() {
  const length = messageLength();
  const over = length > MAX_LENGTH;
  ui.counter.hidden = length < COUNTER_FROM;
  ui.counter.textContent = `${numberFormat.format(length)} / ${numberFormat.format(MAX_LENGTH)} tegn`;
  ui.counter.classList.toggle("over", over);
  ui.hint.textContent = over ? TEXT.tooLong : "";
  ui.input.setAttribute("aria-invalid", String(over));
}

function clearInput() {
  ui.input.value = "";
  autogrow();
  updateLengthStatus();
}

function handleSubmit(event) {
  event.preventDefault();
  if (messageLength() > MAX_LENGTH) {
    updateLengthStatus();
    ui.input.focus();
    return;
  }
  if (submit(ui.input.value)) clearInput();
  else ui.input.focus();
}

function handleKeydown(event) {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.form.requestSubmit();
  }
}

function handleInput() {
  autogrow();
  updateLengthStatus();
}

// ---------- Start ----------

ui.form.addEventListener("submit", handleSubmit);
ui.input.addEventListener("keydown", handleKeydown);
ui.input.addEventListener("input", handleInput);
ui.newChat.addEventListener("click", startNewConversation);
renderConversation();
