// Advisor console: log in, follow the queue live, read a case, reply, close.
import { readEvents } from "./sse.js";

const ROLE = { worker: "Bruker", bot: "Boten", advisor: "Rådgiver", system: "System" };
const STATUS = { waiting: "venter", open: "åpen", closed: "avsluttet" };
const state = { token: sessionStorage.getItem("advisor-token"), cases: new Map(), current: null };

const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.token}`, ...(options.headers || {}) },
  });
  if (response.status === 401) { logout(); throw new Error("Innloggingen er utløpt."); }
  if (!response.ok) throw new Error((await response.json()).detail || `Feil ${response.status}`);
  return response.json();
}

function logout() {
  sessionStorage.removeItem("advisor-token");
  state.token = null;
  $("console").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
}

function time(iso) {
  return new Date(iso).toLocaleString("nb-NO", { dateStyle: "short", timeStyle: "short" });
}

function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  const open = [...state.cases.values()].filter((c) => c.status !== "closed");
  if (!open.length) list.append(Object.assign(document.createElement("li"), { textContent: "Ingen saker i køen." }));
  for (const c of open) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.caseId = c.id;
    button.setAttribute("aria-current", String(c.id === state.current));
    const status = Object.assign(document.createElement("span"), { className: "status", textContent: STATUS[c.status] });
    button.append(status, ` Sak ${c.id} · ${c.channel} · ${time(c.created_at)}`);
    button.addEventListener("click", () => openCase(c.id));
    const item = document.createElement("li");
    item.append(button);
    list.append(item);
  }
}

function renderCase() {
  const c = state.cases.get(state.current);
  $("case").hidden = !c;
  if (!c) return;
  $("case-title").textContent = `Sak ${c.id} (${STATUS[c.status]}, årsak: ${c.reason})`;
  const transcript = $("transcript");
  transcript.replaceChildren(...c.messages.map((m) => {
    const item = document.createElement("li");
    item.className = `role-${m.role}`;
    const who = m.advisor ? `${ROLE[m.role]} ${m.advisor}` : ROLE[m.role] || m.role;
    item.textContent = `${who} (${time(m.at)}): ${m.text}`;
    return item;
  }));
  transcript.scrollTop = transcript.scrollHeight;
  const closed = c.status === "closed";
  for (const control of $("reply").querySelectorAll("textarea, button")) control.disabled = closed;
}

async function openCase(id) {
  state.current = id;
  $("case-error").textContent = "";
  const c = state.cases.get(id);
  if (c && c.status === "waiting") state.cases.set(id, await api(`/api/advisor/cases/${id}/take`, { method: "POST" }));
  else state.cases.set(id, await api(`/api/advisor/cases/${id}`));
  renderQueue();
  renderCase();
  $("reply-text").focus();
}

async function loadQueue() {
  const cases = await api("/api/advisor/cases");
  state.cases = new Map(cases.map((c) => [c.id, c]));
  renderQueue();
  renderCase();
}

function onEvent(type, data) {
  if (type === "case") state.cases.set(data.case.id, data.case);
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
  start();
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
});

// A refused reply or close (another advisor's case) is explained, not silently dropped.
window.addEventListener("unhandledrejection", (event) => { $("case-error").textContent = event.reason.message; });

// Ends the advisor's sessions on the server too, so a copied token stops working.
$("logout").addEventListener("click", async () => {
  await fetch("/api/advisor/logout", { method: "POST", headers: { Authorization: `Bearer ${state.token}` } }).catch(() => {});
  logout();
});

if (state.token) start().catch(logout);
