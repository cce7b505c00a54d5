/**
 * The admin server's live dashboard (GET /): one static page, no build step, no CDN, no
 * framework. It polls /api/status every 2 s and draws inputs (with a rate sparkline per input),
 * destinations (state, lag), the journal and the ledger's balance. A token for an admin server
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
<table><thead><tr><th>input</th><th>sender</th><th>events</th></tr></thead><tbody id="sources"></tbody></table>
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
<h2>Alerts and reports</h2>
<div class="muted" data-k="alerts">none configured</div>
<script>
"use strict";
const token = (/(?:^|[#&])token=([^&]+)/.exec(location.hash) || [])[1];
const headers = token ? { Authorization: "Bearer " + decodeURIComponent(token) } : {};
const history = new Map();
const el = (sel) => document.querySelector(sel);
const set = (k, v) => { const e = document.querySelector('[data-k="' + k + '"]'); if (e) e.textContent = String(v); };
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const bytes = (n) => n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB" : n < 1073741824 ? (n / 1048576).toFixed(1) + " MiB" : (n / 1073741824).toFixed(2) + " GiB";
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
      const h = history.get(i.name) || [];
      const last = h[h.length - 1];
      const rate = last ? Math.max(0, (received - last.received) / Math.max(0.001, (now - last.at) / 1000)) : 0;
      h.push({ at: now, received, rate });
      if (h.length > 30) h.shift();
      history.set(i.name, h);
      return "<tr><td>" + esc(i.name) + "</td><td>" + esc(i.listening) + '</td><td class="n">' + i.connections +
        '</td><td class="n" data-k="received-' + esc(i.name) + '">' + received + '</td><td>' + spark(h.map((x) => x.rate)) + " " + rate.toFixed(0) + "</td></tr>";
    }).join("");
    const day = s.last_24h || { top_sources: [], products: [] };
    el("#sources").innerHTML = day.top_sources.map((x) => "<tr><td>" + esc(x.input) + "</td><td>" + esc(x.address) + '</td><td class="n" data-k="source-' + esc(x.input) + "-" + esc(x.address) + '">' + x.events + "</td></tr>").join("");
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
    set("alerts", (s.alerts && s.alerts.length) ? s.alerts.join("; ") : "none configured");
    el("#updated").textContent = new Date(now).toISOString();
  } catch (err) {
    el("#problems").textContent = "cannot reach /api/status: " + err.message;
  }
}
poll();
setInterval(poll, 2000);
</script>
</body>
</html>
`;
