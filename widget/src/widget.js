// ROP-veiviser chat widget. Embed with one tag:
//   <script src="https://<gateway>/widget.js" defer></script>
// The chat UI is deep-chat (npm); this file connects it to the gateway: replies with quick-reply
// buttons, expandable sources and thumbs up/down, live advisor messages (server-sent events),
// and a conversation that survives a reload (the sender id and messages stay in localStorage).
import "deep-chat";

const SCRIPT = document.currentScript;
const API = SCRIPT ? new URL(SCRIPT.src).origin : window.location.origin;
const SENDER_KEY = "rop-veiviser-sender";
const SEEN_KEY = "rop-veiviser-advisor-seen";
const HISTORY_KEY = "rop-veiviser-history";
const INTRO =
  "Hei! Jeg svarer på hvem som har ansvar for hva for personer med ROP-lidelser, med kilde fra de " +
  "nasjonale veilederne. Skriv ikke navn eller fødselsnummer. **Ved akutt fare: ring 113.**";

function senderId() {
  let id = localStorage.getItem(SENDER_KEY);
  if (!id) {
    id = `w${crypto.randomUUID().replaceAll("-", "")}`.slice(0, 33);
    localStorage.setItem(SENDER_KEY, id);
  }
  return id;
}

function escapeHtml(text) {
  const element = document.createElement("span");
  element.textContent = text;
  return element.innerHTML;
}

// A button's title is what the user sees and what deep-chat sends back when it is clicked; the
// payload it stands for is looked up here.
const payloads = new Map();

function buttonsHtml(buttons, label) {
  const items = buttons.map((button) => {
    payloads.set(button.title, button.payload);
    return `<button type="button" class="deep-chat-button deep-chat-suggestion-button rop-button">${escapeHtml(button.title)}</button>`;
  });
  return `<div class="rop-buttons" role="group" aria-label="${escapeHtml(label)}">${items.join("")}</div>`;
}

function sourcesHtml(sources) {
  return sources
    .map(
      (source) =>
        `<details class="rop-source"><summary>Kilde: ${escapeHtml(source.document)} – ${escapeHtml(source.title)}</summary>` +
        `<blockquote>${escapeHtml(source.text)}</blockquote></details>`,
    )
    .join("");
}

// One gateway message -> deep-chat responses: the text (markdown), then its sources (to
// expand) and its buttons (quick replies, and 👍/👎 after a cited answer).
function toResponses(message) {
  const responses = [{ text: message.text }];
  let html = "";
  if (message.sources && message.sources.length) html += sourcesHtml(message.sources);
  if (message.buttons && message.buttons.length) html += buttonsHtml(message.buttons, "Svaralternativer");
  if (html) responses.push({ html });
  return responses;
}

async function send(sender, text) {
  const message = payloads.get(text) || text;
  const response = await fetch(`${API}/api/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ sender, message }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return [{ text: body.detail || "Noe gikk galt. Prøv igjen om litt." }];
  return body.messages.flatMap(toResponses);
}

function advisorResponse(message) {
  const who = message.role === "advisor" ? "**Rådgiver:** " : "";
  return { text: `${who}${message.text}` };
}

// Advisor replies arrive live; what arrived while the page was closed is fetched on load.
function followAdvisor(chat, sender) {
  const seen = () => Number(localStorage.getItem(SEEN_KEY) || 0);
  const show = (message) => {
    if (message.id <= seen()) return;
    localStorage.setItem(SEEN_KEY, String(message.id));
    chat.addMessage(advisorResponse(message), true); // true: kept in browserStorage like a reply
  };
  const catchUp = () =>
    fetch(`${API}/api/chat/${sender}/messages?after=${seen()}`)
      .then((response) => (response.ok ? response.json() : []))
      .then((messages) => messages.forEach(show))
      .catch(() => {});
  const events = new EventSource(`${API}/api/chat/${sender}/events`);
  events.addEventListener("advisor", (event) => show(JSON.parse(event.data).message));
  events.addEventListener("closed", () => catchUp());
  events.addEventListener("open", () => catchUp());
}

const STYLE = `
.rop-launcher { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483000; border: 0; border-radius: 2rem;
  padding: .8rem 1.2rem; font: 600 1rem system-ui, sans-serif; background: #1d3557; color: #fff; cursor: pointer;
  box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.rop-launcher:focus-visible, .rop-close:focus-visible { outline: 3px solid #e63946; outline-offset: 2px; }
.rop-panel { position: fixed; right: 1rem; bottom: 4.5rem; z-index: 2147483000; width: 24rem; height: 36rem;
  max-height: calc(100vh - 6rem); display: flex; flex-direction: column; background: #fff; border-radius: .75rem;
  box-shadow: 0 4px 24px rgba(0,0,0,.3); overflow: hidden; font-family: system-ui, sans-serif; }
.rop-panel[hidden] { display: none; }
.rop-header { display: flex; justify-content: space-between; align-items: center; padding: .6rem .9rem;
  background: #1d3557; color: #fff; }
.rop-header h2 { font-size: 1rem; margin: 0; }
.rop-close { background: transparent; color: #fff; border: 0; font-size: 1.4rem; cursor: pointer; }
.rop-panel deep-chat { flex: 1; }
@media (max-width: 600px) {
  .rop-panel { right: 0; bottom: 0; width: 100vw; height: 100vh; max-height: 100vh; border-radius: 0; }
}`;

function mount() {
  const sender = senderId();
  const style = document.createElement("style");
  style.textContent = STYLE;
  const launcher = Object.assign(document.createElement("button"), {
    type: "button",
    className: "rop-launcher",
    textContent: "Spør ROP-veiviseren",
  });
  const panel = document.createElement("section");
  panel.className = "rop-panel";
  panel.id = "rop-veiviser-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "ROP-veiviser chat");
  launcher.setAttribute("aria-controls", panel.id);
  launcher.setAttribute("aria-expanded", "false");
  panel.innerHTML =
    '<div class="rop-header"><h2>ROP-veiviser</h2>' +
    '<button type="button" class="rop-close" aria-label="Lukk chatten">×</button></div>';

  const chat = document.createElement("deep-chat");
  chat.setAttribute("aria-label", "Samtale med ROP-veiviseren");
  // a system font: deep-chat would otherwise fetch Inter from Google Fonts (no third parties here)
  chat.style.fontFamily = "system-ui, sans-serif";
  chat.style.width = "100%";
  chat.style.height = "100%";
  chat.style.border = "0";
  chat.introMessage = { text: INTRO };
  chat.browserStorage = { key: HISTORY_KEY, maxMessages: 300 };
  chat.remarkable = { breaks: true, linkTarget: "_blank" };
  chat.textInput = { placeholder: { text: "Skriv spørsmålet ditt …" }, characterLimit: 5000 };
  chat.names = { ai: { text: "ROP-veiviser" }, user: { text: "Du" } };
  chat.errorMessages = { displayServiceErrorMessages: true, overrides: { default: "Noe gikk galt. Prøv igjen." } };
  chat.messageStyles = { html: { shared: { bubble: { backgroundColor: "transparent", padding: "0" } } } };
  chat.connect = {
    handler: async (body, signals) => {
      const text = body.messages[body.messages.length - 1].text;
      try {
        await signals.onResponse(await send(sender, text));
      } catch (error) {
        await signals.onResponse({ error: "Fikk ikke kontakt med tjenesten. Sjekk nettet og prøv igjen." });
      }
    },
  };
  panel.append(chat);

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
  chat.onComponentRender = () => {
    if (!chat.dataset.ropReady) {
      chat.dataset.ropReady = "1";
      followAdvisor(chat, sender);
    }
  };
  window.ropVeiviser = { open: () => toggle(true), close: () => toggle(false), sender };
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
else mount();
