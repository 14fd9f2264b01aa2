// Advisor console: log in, follow the queue live, read a case, reply, close. The gateway orders
// the queue (emergencies first, then the longest waiting) and labels every code in Norwegian;
// this page shows how long each case has waited, and announces new cases in the title and, if
// the advisor turns it on, with a short tone.
import { readEvents } from "./sse.js";
import { textHtml } from "./text.js";

const TITLE = document.title;
const SOUND_KEY = "rop-advisor-sound";
const TICK_MS = 30_000;
const state = {
  token: sessionStorage.getItem("advisor-token"),
  cases: new Map(),
  order: [],
  current: null,
  arrived: new Set(), // waiting cases that came in while the console was open: announced until taken
  loaded: false,
  loading: Promise.resolve(),
};

const $ = (id) => document.getElementById(id);
const element = (tag, className, text) => Object.assign(document.createElement(tag), { className, textContent: text ?? "" });

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.token}`, ...(options.headers || {}) },
  });
  if (response.status === 401) { logout(); throw new Error("Innloggingen er utløpt. Logg inn igjen."); }
  if (!response.ok) throw new Error((await response.json()).detail || `Feil ${response.status}`);
  return response.json();
}

function logout() {
  sessionStorage.removeItem("advisor-token");
  Object.assign(state, { token: null, cases: new Map(), order: [], current: null, arrived: new Set(), loaded: false });
  $("console").hidden = true;
  $("logout").hidden = true;
  $("sound-toggle").hidden = true;
  $("who").textContent = "";
  $("login").hidden = false;
  announceTitle();
}

function time(iso) {
  return new Date(iso).toLocaleString("nb-NO", { dateStyle: "short", timeStyle: "short" });
}

// "under 1 min", "12 min", "2 t 5 min", "3 døgn"
function duration(since) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60_000));
  if (minutes < 1) return "under 1 min";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours} t ${minutes % 60} min` : `${Math.floor(hours / 24)} døgn`;
}

function waited(c) {
  return c.status === "waiting" ? `venter i ${duration(c.created_at)}` : `kom inn for ${duration(c.created_at)} siden`;
}

function card(c) {
  const button = element("button", "card");
  button.type = "button";
  button.dataset.caseId = c.id;
  button.setAttribute("aria-current", String(c.id === state.current));
  const top = element("span", "card-top");
  if (c.urgent) top.append(element("span", "badge urgent", "Akutt"), " ");
  if (state.arrived.has(c.id)) top.append(element("span", "badge new", "Ny"), " ");
  top.append(element("span", "status", c.status_label), ` Sak ${c.id} · ${c.channel_label}`);
  const preview = c.preview ? element("span", "preview", `«${c.preview}»`) : element("span", "preview none", "Ingen spørsmål skrevet");
  const meta = element("span", "card-meta");
  const clock = element("span", "waited", waited(c));
  clock.dataset.caseId = c.id;
  meta.append(clock, ` · ${c.advisor ? `tatt av ${c.advisor}` : "ikke tatt"}`);
  button.append(top, preview, meta);
  button.addEventListener("click", () => openCase(c.id));
  const item = document.createElement("li");
  item.append(button);
  return item;
}

function renderQueue() {
  const focused = document.activeElement?.closest?.("#queue button")?.dataset.caseId;
  const open = state.order.map((id) => state.cases.get(id)).filter((c) => c && c.status !== "closed");
  $("queue").replaceChildren(...(open.length ? open.map(card) : [element("li", "empty", "Ingen saker i køen.")]));
  if (focused) $("queue").querySelector(`button[data-case-id="${focused}"]`)?.focus();
}

function tick() {
  for (const clock of $("queue").querySelectorAll(".waited")) {
    const c = state.cases.get(Number(clock.dataset.caseId));
    if (c) clock.textContent = waited(c);
  }
}

function renderCase() {
  const c = state.cases.get(state.current);
  $("case").hidden = !c;
  if (!c) return;
  $("case-title").textContent = `Sak ${c.id}`;
  const taken = c.advisor ? `tatt av ${c.advisor}` : "ikke tatt";
  $("case-meta").textContent = `${c.status_label} · Årsak: ${c.reason_label} · ${c.channel_label} · ${taken}`;
  const transcript = $("transcript");
  transcript.replaceChildren(...c.messages.map((m) => {
    const item = element("li", `role-${m.role}`);
    const who = element("p", "who", `${m.advisor ? `${m.role_label} ${m.advisor}` : m.role_label} (${time(m.at)})`);
    const body = element("div", "body");
    body.innerHTML = textHtml(m.text); // every character escaped; only the lines and lists are markup
    item.append(who, body);
    return item;
  }));
  transcript.scrollTop = transcript.scrollHeight;
  const closed = c.status === "closed";
  for (const control of $("reply").querySelectorAll("textarea, button")) control.disabled = closed;
}

// The title counts the new cases nobody has taken yet: "(2) Nye saker – ROP-veiviser".
function announceTitle() {
  const count = state.arrived.size;
  document.title = count ? `(${count}) ${count === 1 ? "Ny sak" : "Nye saker"} – ROP-veiviser` : TITLE;
}

let audio = null;

// A short tone (two for an emergency), made by WebAudio: no sound file.
function tone(times) {
  audio = audio || new AudioContext();
  audio.resume();
  for (let n = 0; n < times; n += 1) {
    const start = audio.currentTime + n * 0.3;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.25);
  }
}

function arrived(c) {
  state.arrived.add(c.id);
  $("notice").textContent = `Ny sak i køen: Sak ${c.id}${c.urgent ? " (akutt)" : ""}.`;
  if ($("sound").checked) tone(c.urgent ? 2 : 1);
}

// The gateway's order and labels; a waiting case not seen before (after the first load) is new.
function loadQueue() {
  state.loading = state.loading.catch(() => {}).then(async () => {
    const cases = await api("/api/advisor/cases");
    const known = state.cases;
    state.cases = new Map(cases.map((c) => [c.id, c]));
    state.order = cases.map((c) => c.id);
    if (state.loaded) cases.filter((c) => c.status === "waiting" && !known.has(c.id)).forEach(arrived);
    for (const id of state.arrived) if (state.cases.get(id)?.status !== "waiting") state.arrived.delete(id);
    state.loaded = true;
    announceTitle();
    renderQueue();
    renderCase();
  });
  return state.loading;
}

async function openCase(id) {
  state.current = id;
  $("case-error").textContent = "";
  const c = state.cases.get(id);
  if (c && c.status === "waiting") state.cases.set(id, await api(`/api/advisor/cases/${id}/take`, { method: "POST" }));
  else state.cases.set(id, await api(`/api/advisor/cases/${id}`));
  state.arrived.delete(id);
  announceTitle();
  renderQueue();
  renderCase();
  $("reply-text").focus();
}

function onEvent(type, data) {
  if (type === "case") return loadQueue().catch(() => {});
  if (type === "message") {
    const c = state.cases.get(data.case_id);
    if (c && !c.messages.some((m) => m.id === data.message.id)) c.messages.push(data.message);
  }
  renderQueue();
  renderCase();
}

async function listen() {
  while (state.token) {
    try {
      const response = await fetch("/api/advisor/events", { headers: { Authorization: `Bearer ${state.token}` } });
      if (response.status === 401) return logout();
      await readEvents(response, onEvent);
    } catch (error) { /* reconnect below */ }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await loadQueue().catch(() => {});
  }
}

async function start() {
  $("login").hidden = true;
  $("console").hidden = false;
  $("logout").hidden = false;
  $("sound-toggle").hidden = false;
  $("who").textContent = sessionStorage.getItem("advisor-name") || "";
  await loadQueue();
  listen();
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/api/advisor/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: form.get("name"), password: form.get("password") }),
  });
  if (!response.ok) {
    $("login-error").textContent = response.status === 429 ? (await response.json()).detail : "Feil navn eller passord.";
    return;
  }
  const session = await response.json();
  state.token = session.token;
  sessionStorage.setItem("advisor-token", session.token);
  sessionStorage.setItem("advisor-name", session.name);
  $("login-error").textContent = "";
  event.target.reset();
  start();
  $("queue-title").focus(); // the log-in form is gone: the keyboard goes on from the queue
});

$("reply").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text || state.current === null) return;
  const message = await api(`/api/advisor/cases/${state.current}/messages`, { method: "POST", body: JSON.stringify({ text }) });
  const c = state.cases.get(state.current);
  if (!c.messages.some((m) => m.id === message.id)) c.messages.push(message);
  $("reply-text").value = "";
  renderCase();
});

$("close").addEventListener("click", async () => {
  if (state.current === null) return;
  state.cases.set(state.current, await api(`/api/advisor/cases/${state.current}/close`, { method: "POST" }));
  renderQueue();
  renderCase();
  // the closed case's buttons are disabled now: focus goes on to the queue, not back to the page's top
  ($("queue").querySelector("button") || $("queue-title")).focus();
});

// Off unless the advisor turns it on; remembered in this browser. Turning it on plays the tone
// once, which also lets the browser play it later without a click.
$("sound").checked = localStorage.getItem(SOUND_KEY) === "on";
$("sound").addEventListener("change", (event) => {
  localStorage.setItem(SOUND_KEY, event.target.checked ? "on" : "off");
  if (event.target.checked) tone(1);
});

// A refused reply or close (another advisor's case) is explained, not silently dropped.
window.addEventListener("unhandledrejection", (event) => { $("case-error").textContent = event.reason.message; });

// Ends the advisor's sessions on the server too, so a copied token stops working.
$("logout").addEventListener("click", async () => {
  await fetch("/api/advisor/logout", { method: "POST", headers: { Authorization: `Bearer ${state.token}` } }).catch(() => {});
  logout();
  $("login").querySelector("input").focus(); // the button is gone: the keyboard goes on from the log-in
});

setInterval(tick, TICK_MS);
if (state.token) start().catch(logout);
