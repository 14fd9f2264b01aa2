// ROP-veiviser chat widget. Embed with one tag:
//   <script src="https://<gateway>/widget.js" defer></script>
// The chat UI is deep-chat (npm); this file connects it to the gateway: replies with quick-reply
// buttons, expandable sources and thumbs up/down, live advisor messages (server-sent events),
// and a conversation that survives a reload. The gateway issues the conversation and its token;
// token and history live in sessionStorage, so they are gone when the browser (or tab) closes on
// a shared PC, and the history holds the masked text the gateway kept, never what was typed.
import "deep-chat";
import { readEvents } from "../../api/static/sse.js";
import { escapeHtml, textHtml, textMarkdown } from "../../api/static/text.js";
import { LANGUAGE_KEY, onLanguage, say, setLanguage, startLanguage } from "./language.js";

const SCRIPT = document.currentScript;
const API = SCRIPT ? new URL(SCRIPT.src).origin : window.location.origin;
const CONVERSATION_KEY = "rop-veiviser-conversation";
const SEEN_KEY = "rop-veiviser-advisor-seen";
const HISTORY_KEY = "rop-veiviser-history";
const MAX_HISTORY = 300;
const SAFE_LINK = /^(https?:|mailto:)/i;
startLanguage(SCRIPT);

const store = {
  get: (key, fallback) => JSON.parse(sessionStorage.getItem(key) || "null") ?? fallback,
  set: (key, value) => sessionStorage.setItem(key, JSON.stringify(value)),
  clear: () => [CONVERSATION_KEY, SEEN_KEY, HISTORY_KEY, LANGUAGE_KEY].forEach((key) => sessionStorage.removeItem(key)),
};

// The conversation's identity comes from the gateway; the client never picks it.
async function conversation(renew = false) {
  const current = store.get(CONVERSATION_KEY, null);
  if (!renew && current && current.expires_at * 1000 > Date.now() + 60_000) return current;
  const response = await fetch(`${API}/api/conversations`, { method: "POST" });
  if (!response.ok) throw new Error(`conversation: ${response.status}`);
  const started = await response.json();
  store.set(CONVERSATION_KEY, started);
  if (!sessionStorage.getItem(LANGUAGE_KEY)) setLanguage(started.language); // the deployment's default
  return started;
}

function authorized(started) {
  return { Authorization: `Bearer ${started.token}` };
}

// Markdown links render only for http(s) and mailto: deep-chat turns off remarkable's own link
// check, so a javascript: or data: link from any message becomes plain text here.
window.remarkable_plugins = [
  {
    plugin: (md) => {
      const open = md.renderer.rules.link_open;
      const close = md.renderer.rules.link_close;
      const kept = [];
      md.renderer.rules.link_open = (tokens, index, options, env) => {
        const safe = SAFE_LINK.test((tokens[index].href || "").trim());
        kept.push(safe);
        return safe ? open(tokens, index, options, env) : "";
      };
      md.renderer.rules.link_close = (tokens, index, options, env) =>
        kept.pop() ? close(tokens, index, options, env) : "";
    },
  },
];

// A button's label is what the user sees and what deep-chat sends back when it is clicked; the
// payload it stands for is looked up here.
const payloads = new Map();
// Emoji in a button's title (👍/👎) become drawn icons: a browser without an emoji font shows an
// emoji as an empty box. The icon is decorative; the words are the button's name.
const EMOJI = /\p{Extended_Pictographic}\uFE0F?/gu;
const THUMB = '<path d="M7 10v11H3V10zM7 10l4-8c1.7 0 3 1.3 3 3v4h5.5c1.3 0 2.3 1.2 2 2.5l-1.6 7.8c-.2.9-1 1.7-2 1.7H7"/>';
const ICONS = { "👍": THUMB, "👎": `<g transform="rotate(180 12 12)">${THUMB}</g>` };

function iconHtml(title) {
  const icon = ICONS[(title.match(EMOJI) || [""])[0].replace("\uFE0F", "")];
  if (!icon) return "";
  return (
    '<svg class="rop-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false" ' +
    `fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round">${icon}</svg> `
  );
}

function buttonsHtml(buttons, label) {
  const items = buttons.map((button) => {
    const text = button.title.replace(EMOJI, "").trim();
    payloads.set(text, button.payload);
    return `<button type="button" class="deep-chat-button deep-chat-suggestion-button rop-button">${iconHtml(button.title)}${escapeHtml(text)}</button>`;
  });
  return `<div class="rop-buttons" role="group" aria-label="${escapeHtml(label)}">${items.join("")}</div>`;
}

function sourcesHtml(sources) {
  return sources
    .map(
      (source) =>
        `<details class="rop-source"><summary>${say("source")}: ${escapeHtml(source.document)} – ${escapeHtml(source.title)}</summary>` +
        `<blockquote>${textHtml(source.text)}</blockquote></details>`,
    )
    .join("");
}

// One gateway message -> deep-chat responses: the text (its lines as they are, a quoted passage's
// bullet lines as a list), then its sources (to expand) and its buttons (quick replies, and 👍/👎
// after a cited answer).
function toResponses(message) {
  const responses = [{ text: textMarkdown(message.text) }];
  let html = "";
  if (message.sources && message.sources.length) html += sourcesHtml(message.sources);
  if (message.buttons && message.buttons.length) html += buttonsHtml(message.buttons, say("replyOptions"));
  if (html) responses.push({ html });
  return responses;
}

function remember(...messages) {
  store.set(HISTORY_KEY, [...store.get(HISTORY_KEY, []), ...messages].slice(-MAX_HISTORY));
}

async function post(started, message) {
  return fetch(`${API}/api/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...authorized(started) },
    body: JSON.stringify({ message }),
  });
}

// One turn; the user's bubble and the history get the masked text the gateway kept.
async function send(chat, text) {
  const message = payloads.get(text) || text;
  const index = chat.getMessages().length - 1;
  let started = await conversation();
  let response = await post(started, message);
  if (response.status === 401) {
    started = await conversation(true); // expired: a new conversation, and one more try
    response = await post(started, message);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return [{ text: body.detail || say("failed") }];
  setLanguage(body.language); // the worker's written standard, as the gateway reads it
  const stored = body.stored ?? text;
  if (body.stored && body.stored !== text) chat.updateMessage({ text: body.stored }, index);
  const responses = body.messages.flatMap(toResponses).map((r) => ({ ...r, role: "ai" }));
  remember({ role: "user", text: stored }, ...responses);
  return responses;
}

function advisorResponse(message) {
  const who = message.role === "advisor" ? `**${say("advisor")}:** ` : "";
  return { text: `${who}${message.text}` };
}

// Advisor replies arrive live; what arrived while the page was closed is fetched on (re)connect.
function followAdvisor(chat, live) {
  const seen = () => store.get(SEEN_KEY, 0);
  const show = (message) => {
    if (message.id <= seen()) return;
    store.set(SEEN_KEY, message.id);
    const response = { ...advisorResponse(message), role: "ai" };
    remember(response);
    chat.addMessage(response);
  };
  const catchUp = (started) =>
    fetch(`${API}/api/chat/messages?after=${seen()}`, { headers: authorized(started) })
      .then((response) => (response.ok ? response.json() : []))
      .then((messages) => messages.forEach(show))
      .catch(() => {});
  const onEvent = (type, data, started) => {
    if (type === "advisor") show(data.message);
    if (type === "closed") catchUp(started);
  };
  (async () => {
    while (live.on) {
      try {
        const started = await conversation();
        const response = await fetch(`${API}/api/chat/events`, { headers: authorized(started), signal: live.abort.signal });
        if (response.ok) {
          await catchUp(started);
          await readEvents(response, (type, data) => onEvent(type, data, started));
        }
      } catch (error) {
        /* reconnect below */
      }
      if (live.on) await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  })();
}

const STYLE = `
.rop-launcher { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483000; border: 0; border-radius: 2rem;
  padding: .8rem 1.2rem; font: 600 1rem system-ui, sans-serif; background: #1d3557; color: #fff; cursor: pointer;
  box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.rop-launcher:focus-visible { outline: 3px solid #e63946; outline-offset: 2px; }
.rop-panel { position: fixed; right: 1rem; bottom: 4.5rem; z-index: 2147483000; width: 24rem; height: 36rem;
  max-height: calc(100vh - 6rem); display: flex; flex-direction: column; background: #fff; border-radius: .75rem;
  box-shadow: 0 4px 24px rgba(0,0,0,.3); overflow: hidden; font-family: system-ui, sans-serif; }
.rop-panel[hidden] { display: none; }
.rop-header { display: flex; justify-content: space-between; align-items: center; padding: .6rem .9rem;
  background: #1d3557; color: #fff; }
.rop-header h2 { font-size: 1rem; margin: 0; }
.rop-close { background: transparent; color: #fff; border: 0; font-size: 1.4rem; cursor: pointer; }
.rop-new { background: transparent; color: #fff; border: 1px solid #fff; border-radius: .4rem; padding: .2rem .6rem;
  font: inherit; font-size: .85rem; cursor: pointer; margin-left: auto; margin-right: .5rem; }
.rop-new:focus-visible, .rop-close:focus-visible { outline: 3px solid #fff; outline-offset: 2px; } /* on the blue */
.rop-panel deep-chat { flex: 1; }
@media (max-width: 600px) {
  .rop-panel { right: 0; bottom: 0; width: 100vw; height: 100vh; max-height: 100vh; border-radius: 0; }
}`;

// Inside deep-chat's shadow root: focus is drawn on everything a keyboard reaches (deep-chat's
// text input and send button draw none of their own), and icons sit in line with the words.
const CHAT_STYLE = `
#text-input:focus-visible, #messages:focus-visible { outline: 3px solid #e63946; outline-offset: -3px; border-radius: 5px; }
.input-button:focus-visible, .rop-button:focus-visible, .rop-source summary:focus-visible {
  outline: 3px solid #e63946; outline-offset: 2px; }
.rop-icon { vertical-align: -3px; margin-right: .2rem; }`;

function mount() {
  const style = document.createElement("style");
  style.textContent = STYLE;
  const launcher = Object.assign(document.createElement("button"), {
    type: "button",
    className: "rop-launcher",
    textContent: say("launcher"),
  });
  const panel = document.createElement("section");
  panel.className = "rop-panel";
  panel.id = "rop-veiviser-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", say("panel"));
  launcher.setAttribute("aria-controls", panel.id);
  launcher.setAttribute("aria-expanded", "false");
  panel.innerHTML =
    '<div class="rop-header"><h2>ROP-veiviser</h2>' +
    `<button type="button" class="rop-new">${say("newConversation")}</button>` +
    `<button type="button" class="rop-close" aria-label="${say("close")}"><span aria-hidden="true">×</span></button></div>`;

  const chat = document.createElement("deep-chat");
  chat.setAttribute("aria-label", say("chat"));
  // a system font: deep-chat would otherwise fetch Inter from Google Fonts (no third parties here)
  chat.style.fontFamily = "system-ui, sans-serif";
  chat.style.width = "100%";
  chat.style.height = "100%";
  chat.style.border = "0";
  chat.introMessage = { text: say("intro") };
  chat.history = store.get(HISTORY_KEY, []);
  chat.remarkable = { breaks: true, linkTarget: "_blank" };
  chat.textInput = { placeholder: { text: say("placeholder") }, characterLimit: 5000 };
  chat.names = { ai: { text: "ROP-veiviser" }, user: { text: say("you") } };
  chat.errorMessages = { displayServiceErrorMessages: true, overrides: { default: say("failedShort") } };
  chat.auxiliaryStyle = CHAT_STYLE;
  // the worker's own bubbles in the header's blue: deep-chat's default blue is too light for white text
  chat.messageStyles = {
    default: { user: { bubble: { backgroundColor: "#1d3557", color: "#fff" } } },
    html: { shared: { bubble: { backgroundColor: "transparent", padding: "0" } } },
  };
  chat.connect = {
    handler: async (body, signals) => {
      const text = body.messages[body.messages.length - 1].text;
      try {
        await signals.onResponse(await send(chat, text));
      } catch (error) {
        await signals.onResponse({ error: say("offline") });
      }
    },
  };
  panel.append(chat);
  // The labels on screen follow the conversation's written standard (deep-chat's own are set once).
  onLanguage(() => {
    launcher.textContent = say("launcher");
    panel.setAttribute("aria-label", say("panel"));
    panel.querySelector(".rop-new").textContent = say("newConversation");
    panel.querySelector(".rop-close").setAttribute("aria-label", say("close"));
    chat.setAttribute("aria-label", say("chat"));
    // the greeting too, while the worker has written nothing (setting it draws the chat again)
    if (!chat.getMessages().some((message) => message.role === "user")) chat.introMessage = { text: say("intro") };
  });
  // deep-chat's send button is an icon without a name, and its message list is neither announced
  // nor reachable to scroll with the keyboard; it builds both again when it re-renders, so they are
  // fixed whenever its content changes.
  new MutationObserver(() => {
    chat.shadowRoot.querySelector(".input-button:not([aria-label])")?.setAttribute("aria-label", say("send"));
    const list = chat.shadowRoot.querySelector("#messages:not([role])");
    if (list) {
      list.setAttribute("role", "log");
      list.setAttribute("aria-label", say("messages"));
      list.tabIndex = 0;
    }
  }).observe(chat.shadowRoot, { childList: true, subtree: true });

  const toggle = (open) => {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) setTimeout(() => chat.focusInput(), 50);
    else launcher.focus();
  };
  launcher.addEventListener("click", () => toggle(panel.hidden));
  panel.querySelector(".rop-close").addEventListener("click", () => toggle(false));
  document.addEventListener("keydown", (event) => event.key === "Escape" && !panel.hidden && toggle(false));
  document.head.append(style);
  document.body.append(launcher, panel);
  let live = { on: false };
  const follow = () => {
    live = { on: true, abort: new AbortController() };
    followAdvisor(chat, live);
  };
  // A shared PC: "Ny samtale" forgets this conversation, its history and its token.
  panel.querySelector(".rop-new").addEventListener("click", async () => {
    live.on = false;
    live.abort.abort();
    store.clear();
    chat.clearMessages(true);
    await conversation(true);
    follow();
    chat.focusInput();
  });
  chat.onComponentRender = () => {
    if (!chat.dataset.ropReady) {
      chat.dataset.ropReady = "1";
      follow();
    }
  };
  window.ropVeiviser = {
    open: () => toggle(true),
    close: () => toggle(false),
    conversation: () => conversation().then((started) => started.conversation_id),
  };
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
else mount();
