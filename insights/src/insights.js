// The insights page: reads /api/insights with the advisor console's session (sessionStorage),
// draws four charts with Chart.js (bundled, nothing from the internet) and fills the tables.
// Every chart has its numbers as a table beside it, for screen readers and for copying.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

const $ = (id) => document.getElementById(id);
const token = sessionStorage.getItem("advisor-token");
const CHANNELS = { web: "Nett", teams: "Teams" };
const COLOURS = {
  web: ["#1d3557", "#c1121f"],
  teams: ["#5e60ce", "#b5651d"],
};
const number = new Intl.NumberFormat("nb-NO", { maximumFractionDigits: 1 });
const charts = [];

// What each chart shows: per channel, two measures (stacked bars), or bars with a line.
const CHART_SPECS = {
  questions: {
    title: "Spørsmål besvart og avvist",
    measures: [["answered", "Besvart"], ["refused", "Avvist"]],
  },
  emergencies: {
    title: "Akutt fare oppdaget, etter sikkerhet",
    measures: [["certain", "Sikker"], ["uncertain", "Usikker"]],
  },
  handoffs: {
    title: "Overføringer til rådgiver og median ventetid",
    measures: [["handoffs", "Overføringer"], ["median_wait_minutes", "Median ventetid (min)"]],
    line: "median_wait_minutes",
  },
  ratings: {
    title: "Tilbakemeldinger: tommel opp og ned",
    measures: [["thumbs_up", "Tommel opp"], ["thumbs_down", "Tommel ned"]],
  },
};

function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function show(value) {
  return value === null || value === undefined ? "–" : number.format(value);
}

function query() {
  const from = $("from").value;
  const to = $("to").value;
  return from && to ? `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}` : "";
}

async function api(path) {
  return fetch(path, { headers: { Authorization: `Bearer ${token}` } });
}

function denied(text) {
  $("no-access-text").textContent = text;
  $("no-access").hidden = false;
  $("period").hidden = true;
  $("report").hidden = true;
}

async function load() {
  $("status").textContent = "Henter tall …";
  $("period-error").textContent = "";
  const response = await api(`/api/insights${query()}`);
  if (response.status === 401) return denied("Du er ikke logget inn, eller økten er utløpt.");
  if (response.status === 403) return denied("Innsikten er bare for redaktører og administratorer.");
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    $("status").textContent = "";
    $("period-error").textContent = data.detail || "Kunne ikke hente tallene. Prøv igjen.";
    return;
  }
  $("from").value = data.from;
  $("to").value = data.to;
  $("period").hidden = false;
  $("retention").textContent =
    `Opplysningene slettes etter ${data.retention_days} dager, så eldre uker er tomme.`;
  render(data);
  $("status").textContent = data.empty
    ? `Ingen data fra ${data.from} til ${data.to}.`
    : `Viser ${data.from} til ${data.to}.`;
}

function render(data) {
  for (const chart of charts.splice(0)) chart.destroy();
  for (const figure of document.querySelectorAll("figure[data-chart]")) {
    figure.replaceChildren();
    delete figure.dataset.rendered;
  }
  $("empty").hidden = !data.empty;
  $("report").hidden = data.empty;
  if (data.empty) return;
  const weeks = [...new Set(data.weeks.map((row) => row.week))];
  for (const figure of document.querySelectorAll("figure[data-chart]")) {
    drawChart(figure, CHART_SPECS[figure.dataset.chart], weeks, data.weeks);
  }
  fillWeeks(data.weeks);
  fillUnanswered(data.unanswered, data.grouping);
  fillDisliked(data.disliked);
}

function series(rows, weeks, channel, key) {
  const byWeek = new Map(rows.filter((row) => row.channel === channel).map((row) => [row.week, row[key]]));
  return weeks.map((week) => byWeek.get(week) ?? null);
}

function drawChart(figure, spec, weeks, rows) {
  const id = `chart-${figure.dataset.chart}`;
  figure.append(el("figcaption", null, { id: `${id}-title` }));
  figure.firstChild.append(el("h3", spec.title));
  const columns = [];
  for (const channel of Object.keys(CHANNELS)) {
    spec.measures.forEach(([key, label], index) => {
      columns.push({ channel, key, label: `${label} – ${CHANNELS[channel]}`, colour: COLOURS[channel][index] });
    });
  }
  const values = columns.map((column) => series(rows, weeks, column.channel, column.key));
  const total = values.flat().reduce((sum, value) => sum + (value || 0), 0);
  if (total === 0) {
    figure.append(el("p", "Ingen data i perioden.", { class: "empty" }));
    figure.dataset.rendered = "empty";
    return;
  }
  const wrap = el("div", null, { class: "canvas-wrap" });
  const canvas = el("canvas", null, {
    role: "img",
    "aria-label": `${spec.title}, per uke for nett og Teams. Tallene står i tabellen under figuren.`,
  });
  wrap.append(canvas);
  figure.append(wrap, numbersTable(spec.title, weeks, columns, values));
  const datasets = columns.map((column, index) => {
    const line = column.key === spec.line;
    return {
      type: line ? "line" : "bar",
      label: column.label,
      data: values[index],
      backgroundColor: column.colour,
      borderColor: column.colour,
      stack: line ? undefined : column.channel,
      yAxisID: line ? "minutes" : "y",
      spanGaps: true,
    };
  });
  const scales = {
    x: { stacked: true },
    y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Antall" } },
  };
  if (spec.line) {
    scales.minutes = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "Minutter" } };
  }
  charts.push(
    new Chart(canvas, {
      type: "bar",
      data: { labels: weeks, datasets },
      options: { animation: false, maintainAspectRatio: false, scales, plugins: { legend: { position: "bottom" } } },
    }),
  );
  figure.dataset.rendered = "chart";
}

function numbersTable(title, weeks, columns, values) {
  const details = el("details");
  details.append(el("summary", "Vis tallene i figuren"));
  const table = el("table");
  table.append(el("caption", title));
  const head = el("tr");
  head.append(el("th", "Uke", { scope: "col" }));
  for (const column of columns) head.append(el("th", column.label, { scope: "col" }));
  const body = el("tbody");
  weeks.forEach((week, row) => {
    const tr = el("tr");
    tr.append(el("th", week, { scope: "row" }));
    values.forEach((series) => tr.append(el("td", show(series[row]))));
    body.append(tr);
  });
  const thead = el("thead");
  thead.append(head);
  table.append(thead, body);
  details.append(table);
  return details;
}

function fillWeeks(rows) {
  const keys = ["answered", "refused", "certain", "uncertain", "handoffs", "advisor_answered",
    "median_wait_minutes", "max_wait_minutes", "thumbs_up", "thumbs_down"];
  $("weeks").tBodies[0].replaceChildren(...rows.map((row) => {
    const tr = el("tr");
    tr.append(el("th", row.week, { scope: "row" }), el("td", CHANNELS[row.channel]));
    for (const key of keys) tr.append(el("td", show(row[key])));
    return tr;
  }));
}

function list(texts) {
  const ul = el("ul");
  for (const text of texts) ul.append(el("li", text));
  return ul;
}

function fillUnanswered(groups, grouping) {
  $("grouping").textContent = grouping === "semantic"
    ? "Gruppert etter mening med språkmodellen e5."
    : "Språkmodellen e5 er ikke lastet, så bare spørsmål med lik tekst er gruppert.";
  $("unanswered-empty").hidden = groups.length > 0;
  $("unanswered").hidden = groups.length === 0;
  $("unanswered").tBodies[0].replaceChildren(...groups.map((group) => {
    const tr = el("tr");
    const others = el("td");
    others.append(list(group.examples.slice(1)));
    tr.append(el("td", show(group.count)), el("th", group.examples[0], { scope: "row" }), others);
    return tr;
  }));
}

function fillDisliked(passages) {
  $("disliked-empty").hidden = passages.length > 0;
  $("disliked").hidden = passages.length === 0;
  $("disliked").tBodies[0].replaceChildren(...passages.map((passage) => {
    const tr = el("tr");
    const name = el("th", null, { scope: "row" });
    name.append(el("span", passage.title), el("br"), el("code", passage.passage));
    const questions = el("td");
    questions.append(list(passage.questions));
    tr.append(name, el("td", show(passage.down)), el("td", show(passage.up)), questions);
    return tr;
  }));
}

// A download needs the session header, which a plain link cannot send: fetch, then save the file.
async function download(event) {
  event.preventDefault();
  const link = event.currentTarget;
  const response = await api(`/api/insights/${link.dataset.table}.csv${query()}`);
  if (!response.ok) {
    $("status").textContent = "Kunne ikke laste ned tabellen.";
    return;
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  const url = URL.createObjectURL(await response.blob());
  const save = el("a", null, { href: url, download: name ? name[1] : `${link.dataset.table}.csv` });
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

for (const link of document.querySelectorAll("a.csv")) link.addEventListener("click", download);
$("period").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

if (token) {
  load().catch(() => {
    $("status").textContent = "Kunne ikke hente tallene. Prøv igjen.";
  });
} else {
  denied("Du er ikke logget inn.");
}
