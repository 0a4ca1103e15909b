// ActorSweep dashboard: plain JavaScript, no build step. Every value from the server reaches the
// page through textContent or an attribute, never as HTML, so run names and errors cannot inject
// markup; the Content-Security-Policy forbids inline scripts besides.
"use strict";

const main = document.getElementById("main");
const crumbs = document.getElementById("crumbs");
const live = document.getElementById("live");

/** Builds an element: attributes (on* are listeners) and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A number the API sent, or null: it writes NaN and the infinities as strings, which are not points. */
const finite = v => typeof v === "number" && Number.isFinite(v) ? v : null;
const percent = v => finite(v) === null ? "" : (100 * v).toFixed(2) + " %";
const number = v => (v === null || v === undefined) ? "" : Number(v).toLocaleString("en-US");
const time = v => v ? new Date(v).toLocaleString("en-GB", { dateStyle: "short", timeStyle: "medium" }) : "";
const sweepUrl = id => `/sweeps/${encodeURIComponent(id)}`;
const runUrl = (id, run) => `${sweepUrl(id)}/runs/${encodeURIComponent(run)}`;
const api = id => `/api/sweeps/${encodeURIComponent(id)}`;

function setCrumbs(...items) {
  crumbs.replaceChildren(...items.map(([text, href]) => el("li", {}, href ? el("a", { href }, text) : el("span", { "aria-current": "page" }, text))));
  document.title = ["ActorSweep", ...items.map(i => i[0])].join(" · ");
}

function showError(error) {
  main.replaceChildren(el("h1", {}, "Something went wrong"), el("p", { class: "message error", role: "alert" }, String(error.message || error)));
}

// ---------------------------------------------------------------------------------------------
// Charts (uPlot, vendored). Each chart's container carries data-points: the points it plots.

function lineChart(title, xLabel, series, options = {}) {
  const box = el("figure", { class: "chart", "data-chart": title });
  box.append(el("h3", {}, title));
  series = series.map(s => ({ ...s, points: s.points.filter(p => finite(p[0]) !== null && finite(p[1]) !== null) }));
  if (options.scatter) return scatterChart(box, xLabel, series[0], options);
  const xs = [...new Set(series.flatMap(s => s.points.map(p => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const data = [xs, ...series.map(s => {
    const ys = new Array(xs.length).fill(null);
    for (const [x, y] of s.points) ys[index.get(x)] = y;
    return ys;
  })];
  box.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
  if (xs.length === 0) { box.append(el("p", { class: "muted" }, "No points yet.")); return box; }
  const colors = ["#0550ae", "#bc4c00", "#116329", "#8250df"];
  const plot = () => new uPlot({
    width: Math.max(360, box.clientWidth - 16), height: 240,
    scales: { x: { time: false }, y: options.range ? { range: options.range } : {} },
    axes: [{ label: xLabel }, { label: options.yLabel || "" }],
    series: [{ label: xLabel }, ...series.map((s, i) => ({
      label: s.label, stroke: colors[i % colors.length], width: 1.5, spanGaps: true,
      points: { show: options.scatter || s.points.length < 40 }, paths: options.scatter ? () => null : undefined,
    }))],
  }, data, box);
  requestAnimationFrame(plot);
  return box;
}

/** One series of points, several of which may share an x (seeds of one shape): x sorted, repeats kept. */
function scatterChart(box, xLabel, series, options) {
  const points = [...series.points].sort((a, b) => a[0] - b[0]);
  box.dataset.points = String(points.length);
  if (points.length === 0) { box.append(el("p", { class: "muted" }, "No results yet.")); return box; }
  requestAnimationFrame(() => new uPlot({
    width: Math.max(360, box.clientWidth - 16), height: 260,
    scales: { x: { time: false }, y: options.range ? { range: options.range } : {} },
    axes: [{ label: xLabel }, { label: options.yLabel || "" }],
    series: [{ label: xLabel }, { label: series.label, stroke: "#0550ae", width: 0, paths: () => null, points: { show: true, size: 7 } }],
  }, [points.map(p => p[0]), points.map(p => p[1])], box));
  return box;
}

/** A node's address without the actor system's prefix and uid: host:port. */
const shortNode = node => node ? node.replace(/^akka(\.ssl)?\.tcp:\/\/[^@]*@/, "").replace(/#.*$/, "") : "";

// ---------------------------------------------------------------------------------------------
// Page: the sweeps

async function sweepsPage() {
  setCrumbs(["Sweeps"]);
  const render = async () => {
    const list = await getJson("/api/sweeps");
    const sweeps = list.sweeps || [];
    const rows = sweeps.map(s => {
      const finished = s.completed + s.failed + s.pruned + (s.runs - s.queued - s.running - s.paused - s.completed - s.failed - s.pruned);
      const state = s.finished ? (s.cancelled ? "cancelled" : "finished") : s.cancelled ? "cancelling" : "running";
      return el("tr", {},
        el("td", {}, el("a", { href: sweepUrl(s.sweepId) }, s.sweepId)),
        el("td", {}, s.task),
        el("td", { class: "status status-" + state }, state),
        el("td", {}, el("progress", { max: s.runs, value: finished, "aria-label": `${s.sweepId}: ${finished} of ${s.runs} runs done` }), ` ${finished}/${s.runs}`),
        el("td", { class: "num" }, s.queued), el("td", { class: "num" }, s.running), el("td", { class: "num" }, s.paused || 0),
        el("td", { class: "num" }, s.completed), el("td", { class: "num" }, s.failed), el("td", { class: "num" }, s.pruned || 0),
        el("td", {}, time(s.startedAt)), el("td", {}, time(s.finishedAt)));
    });
    main.replaceChildren(
      el("h1", {}, "Sweeps"),
      sweeps.length === 0 ? el("p", { class: "muted" }, "No sweeps yet: submit one with 'actorsweep submit' or 'actorsweep run'.") :
      el("table", { id: "sweeps" },
        el("caption", { class: "hidden" }, "Every sweep of this cluster"),
        el("thead", {}, el("tr", {}, ...["Sweep", "Task", "State", "Progress", "Queued", "Running", "Paused", "Completed", "Failed", "Pruned", "Started", "Finished"]
          .map((h, i) => el("th", { scope: "col", class: i >= 4 && i <= 9 ? "num" : null }, h)))),
        el("tbody", {}, rows)));
  };
  await render();
  setInterval(() => render().catch(() => {}), 5000); // the list is small and read from the supervisor's memory
}

// ---------------------------------------------------------------------------------------------
// Page: one sweep

const columns = [
  ["run_id", "Run", "text"], ["status", "State", "text"], ["params", "Params", "num"], ["steps", "Steps", "num"],
  ["validation_exact_match", "Validation", "num"], ["exact_match", "Test", "num"], ["attempts", "Attempts", "num"],
  ["node", "Node", "text"], ["error", "Last error", "text"],
];

async function sweepPage(id) {
  setCrumbs(["Sweeps", "/"], [id]);
  const view = { rows: [], sort: "run_id", descending: false, status: "", text: "" };
  const summary = el("div", { class: "cards", id: "summary" });
  const tbody = el("tbody", {});
  const message = el("div", { role: "status", "aria-live": "polite" });
  const chartSlot = el("div", { class: "charts" });
  const ladderSlot = el("div", {});
  const lineageSlot = el("div", {});
  const statusFilter = el("select", { id: "status-filter", onchange: e => { view.status = e.target.value; renderRows(); } },
    el("option", { value: "" }, "every state"),
    ...["queued", "running", "paused", "completed", "failed", "pruned", "cancelled"].map(s => el("option", { value: s }, s)));
  const textFilter = el("input", { id: "text-filter", type: "search", placeholder: "run name", oninput: e => { view.text = e.target.value.toLowerCase(); renderRows(); } });
  const token = el("input", { id: "token", type: "password", autocomplete: "off", placeholder: "if the API has one" });
  const cancel = el("button", { id: "cancel", class: "danger", type: "button", onclick: () => cancelSweep() }, "Cancel sweep");

  const header = (key, label, kind) => el("th", { scope: "col", class: kind === "num" ? "num" : null, "aria-sort": view.sort === key ? (view.descending ? "descending" : "ascending") : "none" },
    el("button", { type: "button", "data-sort": key, onclick: () => { view.descending = view.sort === key ? !view.descending : false; view.sort = key; renderRows(); } }, label));
  const thead = el("thead", {});

  main.replaceChildren(
    el("h1", {}, "Sweep ", el("span", { id: "sweep-id" }, id)),
    summary,
    el("div", { class: "toolbar" },
      el("label", { for: "status-filter" }, "State", statusFilter),
      el("label", { for: "text-filter" }, "Filter", textFilter),
      el("label", { for: "token" }, "API token", token),
      cancel),
    message,
    el("table", { id: "runs" }, el("caption", { class: "hidden" }, "Runs of the sweep"), thead, tbody),
    el("h2", {}, "Parameters against accuracy"), chartSlot,
    ladderSlot, lineageSlot);

  function renderRows() {
    thead.replaceChildren(el("tr", {}, ...columns.map(([key, label, kind]) => header(key, label, kind))));
    const rows = view.rows
      .filter(r => !view.status || r.status === view.status)
      .filter(r => !view.text || r.run_id.toLowerCase().includes(view.text))
      .sort((a, b) => {
        const x = a[view.sort], y = b[view.sort];
        const order = x === y ? 0 : x === null || x === undefined ? 1 : y === null || y === undefined ? -1 : x < y ? -1 : 1;
        return view.descending ? -order : order;
      });
    tbody.replaceChildren(...rows.map(r => el("tr", { "data-run": r.run_id, "data-status": r.status },
      el("td", {}, el("a", { href: runUrl(id, r.run_id) }, r.run_id)),
      el("td", { class: "status status-" + r.status }, r.status, r.at_target ? " (at target)" : ""),
      el("td", { class: "num" }, number(r.params)),
      el("td", { class: "num", "data-steps": r.steps }, el("progress", { max: r.total_steps || 1, value: r.steps, "aria-label": `${r.run_id}: step ${r.steps} of ${r.total_steps}` }), " ", number(r.steps)),
      el("td", { class: "num" }, percent(r.validation_exact_match)),
      el("td", { class: "num" }, percent(r.exact_match)),
      el("td", { class: "num" }, r.attempts),
      el("td", { title: r.node || null }, shortNode(r.node)),
      el("td", { class: "error" }, r.error || ""))));
    const counts = {};
    for (const r of view.rows) counts[r.status] = (counts[r.status] || 0) + 1;
    const done = view.rows.filter(r => ["completed", "failed", "pruned", "cancelled"].includes(r.status)).length;
    summary.replaceChildren(
      el("div", { class: "card" }, el("b", { id: "done" }, `${done}/${view.rows.length}`), "runs done"),
      ...Object.entries(counts).map(([s, n]) => el("div", { class: "card", "data-count": s }, el("b", {}, n), s)));
  }

  // Progress arrives per run and step; the table is drawn at most once per frame.
  let frame = 0;
  const renderSoon = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; renderRows(); }); };

  async function refresh() {
    view.rows = await getJson(`${api(id)}/runs`);
    renderRows();
    const scored = view.rows.filter(r => r.params !== null && (r.exact_match ?? r.validation_exact_match) !== null && (r.exact_match ?? r.validation_exact_match) !== undefined);
    chartSlot.replaceChildren(lineChart("Parameters against exact match", "parameters", [
      { label: "test (validation until tested)", points: scored.map(r => [r.params, r.exact_match ?? r.validation_exact_match]) },
    ], { scatter: true, yLabel: "exact match", range: [0, 1] }));
    const [ladder, lineage] = await Promise.all([getJson(`${api(id)}/ladder`), getJson(`${api(id)}/lineage`)]);
    ladderSlot.replaceChildren(...(ladder.length === 0 ? [] : [el("h2", {}, "Rung ladder"), el("table", { id: "ladder" },
      el("thead", {}, el("tr", {}, ...["Bracket", "Rung", "Steps", "Reached", "Went on", "Paused", "Pruned", "Quota", "Cut-off"].map(h => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ladder.map(r => el("tr", {}, el("td", {}, r.bracket), el("td", {}, r.rung), el("td", {}, number(r.step)), el("td", {}, r.reached),
        el("td", {}, r.promoted), el("td", {}, r.paused), el("td", {}, r.pruned), el("td", {}, r.quota), el("td", {}, r.cutoff ?? "")))))]));
    lineageSlot.replaceChildren(...(lineage.length === 0 ? [] : [el("h2", {}, "PBT lineage"), el("table", { id: "lineage" },
      el("thead", {}, el("tr", {}, ...["Run", "Copied", "At step", "Options before", "Options after", "When"].map(h => el("th", { scope: "col" }, h)))),
      el("tbody", {}, lineage.map(x => el("tr", {}, el("td", {}, x.run_id), el("td", {}, x.donor_id), el("td", {}, number(x.step)),
        el("td", {}, JSON.stringify(x.before)), el("td", {}, JSON.stringify(x.after)), el("td", {}, time(x.at))))))]));
  }

  async function cancelSweep() {
    const headers = token.value ? { Authorization: "Bearer " + token.value } : {};
    const response = await fetch(`${api(id)}/cancel`, { method: "POST", headers });
    const body = await response.json().catch(() => ({}));
    message.replaceChildren(el("p", { class: "message " + (response.ok ? "ok" : "error"), id: "cancel-result" },
      response.ok ? "Cancelled: queued and paused runs stop now, running ones when their nodes hand them back." : `Refused (${response.status}): ${body.error || response.statusText}`));
    if (response.ok) await refresh();
  }

  await refresh();
  let pending = null;
  const later = () => { if (!pending) pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 300); };
  const events = new EventSource(`${api(id)}/events`);
  events.addEventListener("open", () => { live.textContent = "live"; });
  events.addEventListener("error", () => { live.textContent = "reconnecting…"; });
  events.addEventListener("progress", e => {
    const p = JSON.parse(e.data);
    const row = view.rows.find(r => r.run_id === p.run_id);
    if (!row) return;
    row.steps = p.step;
    row.total_steps = p.total_steps;
    row.status = "running";
    if (p.validation_exact_match !== null && p.validation_exact_match !== undefined) row.validation_exact_match = p.validation_exact_match;
    if (p.node) row.node = p.node;
    renderSoon();
  });
  events.addEventListener("changed", later);
  events.addEventListener("finished", () => { live.textContent = "finished"; later(); });
}

// ---------------------------------------------------------------------------------------------
// Page: one run

async function runPage(id, run) {
  setCrumbs(["Sweeps", "/"], [id, sweepUrl(id)], [run]);
  const info = el("div", { class: "cards" });
  const charts = el("div", { class: "charts" });
  const digits = el("div", {});
  main.replaceChildren(el("h1", {}, "Run ", el("span", { id: "run-id" }, run)), info, charts, digits);

  async function refresh() {
    const [history, rows] = await Promise.all([getJson(`${api(id)}/runs/${encodeURIComponent(run)}/history`), getJson(`${api(id)}/runs`)]);
    const row = rows.find(r => r.run_id === run) || {};
    info.replaceChildren(
      el("div", { class: "card" }, el("b", { class: "status status-" + history.status }, history.status), "state"),
      el("div", { class: "card" }, el("b", { id: "run-steps" }, `${number(row.steps)} / ${number(history.total_steps)}`), "steps"),
      el("div", { class: "card" }, el("b", {}, percent(row.validation_exact_match)), "validation"),
      el("div", { class: "card" }, el("b", {}, percent(row.exact_match)), "test"),
      el("div", { class: "card" }, el("b", {}, row.attempts ?? ""), "attempts"),
      el("div", { class: "card", title: row.node || null }, el("b", {}, shortNode(row.node) || "-"), "node"),
      ...(row.error ? [el("div", { class: "card error" }, el("b", {}, "last error"), row.error)] : []));
    const points = (history.points || []).map(p => ({ step: p.step, loss: finite(p.loss), validation_exact_match: finite(p.validation_exact_match), validation_loss: finite(p.validation_loss) }));
    const full = curve => curve && curve.length > 0 ? curve : null; // a report's curves, where it has any
    const loss = full(history.loss_curve) ? history.loss_curve.map(p => [p.step, p.value]) : points.filter(p => p.loss !== null && p.loss !== undefined).map(p => [p.step, p.loss]);
    const validation = full(history.validation_curve) ? history.validation_curve.map(p => [p.step, p.value])
      : points.filter(p => p.validation_exact_match !== null && p.validation_exact_match !== undefined).map(p => [p.step, p.validation_exact_match]);
    const validationLoss = points.filter(p => p.validation_loss !== null && p.validation_loss !== undefined).map(p => [p.step, p.validation_loss]);
    charts.replaceChildren(
      lineChart("Training loss", "step", [{ label: "train loss", points: loss }], { yLabel: "loss" }),
      lineChart("Validation exact match", "step", [{ label: "validation exact match", points: validation }], { yLabel: "exact match", range: [0, 1] }),
      lineChart("Validation loss", "step", [{ label: "validation loss", points: validationLoss }], { yLabel: "loss" }));
    const perDigit = history.per_digit_accuracy;
    digits.replaceChildren(...(!perDigit ? [] : [el("h2", {}, "Per-digit accuracy (test)"), el("table", { id: "per-digit" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Digit (10^k)"), el("th", { scope: "col" }, "Accuracy"))),
      el("tbody", {}, perDigit.map((a, k) => el("tr", {}, el("td", {}, `10^${k}`),
        el("td", {}, el("meter", { min: 0, max: 1, value: a, "aria-label": `digit ${k}` }), " ", percent(a))))))]));
  }

  await refresh();
  let pending = null;
  const events = new EventSource(`${api(id)}/events`);
  events.addEventListener("open", () => { live.textContent = "live"; });
  events.addEventListener("progress", e => {
    const p = JSON.parse(e.data);
    if (p.run_id === run) document.getElementById("run-steps").textContent = `${number(p.step)} / ${number(p.total_steps)}`;
  });
  events.addEventListener("changed", e => {
    if (JSON.parse(e.data).run_id === run && !pending) pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 300);
  });
}

// ---------------------------------------------------------------------------------------------

async function route() {
  const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return sweepsPage();
  if (parts[0] === "sweeps" && parts.length === 2) return sweepPage(parts[1]);
  if (parts[0] === "sweeps" && parts.length === 4 && parts[2] === "runs") return runPage(parts[1], parts[3]);
  setCrumbs(["Not found"]);
  main.replaceChildren(el("h1", {}, "Not found"), el("p", {}, el("a", { href: "/" }, "Back to the sweeps")));
}

route().catch(showError);
