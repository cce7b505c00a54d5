/**
 * The admin server's live dashboard (GET /): one static page, no build step, no CDN, no
 * framework. It polls /api/status every 2 s and draws inputs and senders (with a rate sparkline each),
 * destinations (state, lag), the journal, the ledger's balance, alert states and the reports
 * (next run, last run, links to the newest files). A token for an admin server
 * with tokens is taken from the page's #token=… fragment (never sent anywhere but this server).
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>siemgate</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2430; background: #f6f7f9; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; } h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
  table { border-collapse: collapse; background: #fff; min-width: 40rem; }
  th, td { text-align: left; padding: .3rem .7rem; border-bottom: 1px solid #e3e6ea; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .ok { color: #1a7f37; } .failing, .down { color: #cf222e; } .degraded { color: #9a6700; } .up { color: #1a7f37; }
  #badge { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; background: #fff; font-weight: 600; }
  svg.spark { vertical-align: middle; } .muted { color: #6e7781; }
</style>
</head>
<body>
<h1>siemgate <span id="badge" data-k="status">…</span></h1>
<div id="problems" class="failing"></div>
<div class="muted">updated <span id="updated">never</span></div>
<h2>Inputs</h2>
<table><thead><tr><th>input</th><th>listening</th><th>connections</th><th>received</th><th>per second</th></tr></thead><tbody id="inputs"></tbody></table>
<h2>Senders, last 24 hours</h2>
<table><thead><tr><th>input</th><th>sender</th><th>events</th><th>per second</th><th>last seen</th></tr></thead><tbody id="sources"></tbody></table>
<h2>Products, last 24 hours</h2>
<table><thead><tr><th>product</th><th>category</th><th>outcome</th><th>events</th></tr></thead><tbody id="products"></tbody></table>
<h2>Destinations</h2>
<table><thead><tr><th>destination</th><th>state</th><th>delivered</th><th>pending</th><th>oldest pending</th><th>why</th></tr></thead><tbody id="destinations"></tbody></table>
<h2>Journal and ledger</h2>
<table><tbody>
<tr><td>journal</td><td class="n" data-k="journal-bytes"></td><td class="n" data-k="journal-segments"></td></tr>
<tr><td>received</td><td class="n" data-k="ledger-received"></td><td></td></tr>
<tr><td>journaled</td><td class="n" data-k="ledger-journaled"></td><td></td></tr>
<tr><td>rejected at input</td><td class="n" data-k="ledger-rejected"></td><td></td></tr>
<tr><td>unaccounted</td><td class="n" data-k="ledger-unaccounted"></td><td data-k="ledger-verdict"></td></tr>
</tbody></table>
<h2>Alerts</h2>
<table><thead><tr><th>alert</th><th>type</th><th>about</th><th>state</th><th>since</th><th>value / limit</th></tr></thead><tbody id="alerts"></tbody></table>
<div class="muted" data-k="alerts-firing"></div>
<h2>Reports</h2>
<table><thead><tr><th>report</th><th>kind</th><th>next run</th><th>last run</th><th>latest</th></tr></thead><tbody id="reports"></tbody></table>
<script>
"use strict";
const token = (/(?:^|[#&])token=([^&]+)/.exec(location.hash) || [])[1];
const headers = token ? { Authorization: "Bearer " + decodeURIComponent(token) } : {};
const history = new Map();
const el = (sel) => document.querySelector(sel);
const set = (k, v) => { const e = document.querySelector('[data-k="' + k + '"]'); if (e) e.textContent = String(v); };
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const round = (x) => (Math.abs(x) >= 100 || Number.isInteger(x) ? Math.round(x) : Number(x.toPrecision(3)));
const bytes = (n) => n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB" : n < 1073741824 ? (n / 1048576).toFixed(1) + " MiB" : (n / 1073741824).toFixed(2) + " GiB";
/** The last 30 polls of a counter, each with its rate per second since the poll before. */
function rateOf(key, count, now) {
  const h = history.get(key) || [];
  const last = h[h.length - 1];
  h.push({ at: now, count, rate: last ? Math.max(0, (count - last.count) / Math.max(0.001, (now - last.at) / 1000)) : 0 });
  if (h.length > 30) h.shift();
  history.set(key, h);
  return h;
}
function spark(values) {
  const w = 120, h = 22, max = Math.max(1, ...values);
  const pts = values.map((v, i) => (i * w / Math.max(1, values.length - 1)).toFixed(1) + "," + (h - 1 - v / max * (h - 2)).toFixed(1)).join(" ");
  return '<svg class="spark" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + " " + h + '"><polyline fill="none" stroke="#0969da" stroke-width="1.5" points="' + pts + '"/></svg>';
}
async function poll() {
  try {
    const r = await fetch("/api/status", { headers, cache: "no-store" });
    const s = await r.json();
    const now = Date.now();
    set("status", s.status);
    el("#badge").className = s.status;
    el("#problems").textContent = (s.problems || []).join("; ");
    el("#inputs").innerHTML = s.inputs.map((i) => {
      const received = (s.received_by_input || {})[i.name] || 0;
      const h = rateOf("input " + i.name, received, now);
      const rate = h[h.length - 1].rate;
      return "<tr><td>" + esc(i.name) + "</td><td>" + esc(i.listening) + '</td><td class="n">' + i.connections +
        '</td><td class="n" data-k="received-' + esc(i.name) + '">' + received + '</td><td>' + spark(h.map((x) => x.rate)) + " " + rate.toFixed(0) + "</td></tr>";
    }).join("");
    const day = s.last_24h || { top_sources: [], products: [] };
    el("#sources").innerHTML = day.top_sources.map((x) => {
      const h = rateOf("source " + x.input + " " + x.address, x.events, now);
      return "<tr><td>" + esc(x.input) + "</td><td>" + esc(x.address) + '</td><td class="n" data-k="source-' + esc(x.input) + "-" + esc(x.address) + '">' + x.events +
        "</td><td>" + spark(h.map((p) => p.rate)) + " " + h[h.length - 1].rate.toFixed(0) + "</td><td>" + esc(x.last_seen || "-") + "</td></tr>";
    }).join("");
    el("#products").innerHTML = day.products.map((x) => "<tr><td>" + esc(x.product) + "</td><td>" + esc(x.category) + "</td><td>" + esc(x.outcome) + '</td><td class="n">' + x.events + "</td></tr>").join("");
    el("#destinations").innerHTML = s.destinations.map((d) => "<tr><td>" + esc(d.name) + '</td><td class="' + esc(d.state) + '" data-k="state-' + esc(d.name) + '">' + esc(d.state) +
      '</td><td class="n" data-k="delivered-' + esc(d.name) + '">' + (s.ledger.destinations[d.name] || {}).delivered + '</td><td class="n" data-k="pending-' + esc(d.name) + '">' + d.pending +
      '</td><td class="n">' + d.oldest_pending_age_s + " s</td><td>" + esc(d.reason || "") + "</td></tr>").join("");
    set("journal-bytes", bytes(s.journal.bytes));
    set("journal-segments", s.journal.segments + " segment(s)");
    set("ledger-received", s.ledger.received);
    set("ledger-journaled", s.ledger.journaled);
    set("ledger-rejected", s.ledger.rejected);
    set("ledger-unaccounted", s.ledger.unaccounted);
    set("ledger-verdict", s.ledger.unaccounted === 0 ? "balanced: nothing lost" : "NOT balanced");
    const alerts = s.alerts || [];
    el("#alerts").innerHTML = alerts.map((a) => '<tr><td>' + esc(a.rule) + "</td><td>" + esc(a.type) + "</td><td>" + esc(a.key || "-") + '</td><td class="' + (a.state === "firing" ? "down" : "up") +
      '" data-k="alert-' + esc(a.rule) + "-" + esc(a.key) + '">' + esc(a.state) + "</td><td>" + esc(a.since) + '</td><td class="n">' + round(a.value) + " / " + round(a.limit) + "</td></tr>").join("");
    set("alerts-firing", alerts.filter((a) => a.state === "firing").length + " firing, " + alerts.length + " in the last 24 hours");
    el("#reports").innerHTML = (s.reports || []).map((r) => "<tr><td>" + esc(r.name) + "</td><td>" + esc(r.kind) + "</td><td>" + esc(r.next || "-") + "</td><td>" +
      (r.last_run ? esc(r.last_run.at) + (r.last_run.failed.length ? ' <span class="down">' + r.last_run.failed.length + " failed</span>" : "") : "-") + "</td><td>" +
      r.latest_files.map((f) => '<a data-k="report-link" href="/reports/' + encodeURIComponent(f) + '">' + esc(f.replace(/^.*\\./, "")) + "</a>").join(" ") + "</td></tr>").join("");
    el("#updated").textContent = new Date(now).toISOString();
  } catch (err) {
    el("#problems").textContent = "cannot reach /api/status: " + err.message;
  }
}
// with a token, a plain link would arrive without it: fetch the report with the header instead
document.addEventListener("click", async (e) => {
  const a = e.target.closest && e.target.closest('a[data-k="report-link"]');
  if (!a || !token) return;
  e.preventDefault();
  const r = await fetch(a.getAttribute("href"), { headers });
  window.open(URL.createObjectURL(await r.blob()), "_blank");
});
poll();
setInterval(poll, 2000);
</script>
</body>
</html>
`;
