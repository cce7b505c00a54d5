#!/usr/bin/env node
'use strict';
// HTTP double for the connector benchmark (bench/connectors.js): Elasticsearch `_bulk`, Splunk HEC,
// and Microsoft Sentinel (Entra ID token endpoint + Logs Ingestion API). Modelled on
// ../shared/peer-bench/sink.js (same answers, same counting, same summary line), plus what that sink
// does not do: it gunzips `Content-Encoding: gzip` bodies, and it records the bytes received on the
// wire (request bodies as sent) beside the bytes after gunzip. Binds 127.0.0.1 only.
//
// usage: node bench/connector-sink.js --port 19210 [--n 1000000] [--idle-s 8] [--max-s 180]
// Counts events:
//   POST …_bulk                       non-empty lines / 2 (action line + document line)
//   POST /services/collector…         occurrences of `"event":` (not preceded by a backslash)
//   POST …/dataCollectionRules/…      rows of the JSON array: occurrences of `"TimeGenerated":` (one per row)
//   POST …/oauth2/v2.0/token          answers a bearer token; not an event
// Prints one JSON summary line, then exits: when N events were counted, on idle (no event for
// idle-s after the first), at max-s, or on SIGTERM/SIGINT.
const http = require('http');
const zlib = require('zlib');
const { performance } = require('perf_hooks');

const a = { port: 19210, n: 0, idleS: 8, maxS: 180 };
const v = process.argv.slice(2);
for (let i = 0; i < v.length; i += 2) {
  const k = v[i].replace(/^--/, '');
  const key = { 'idle-s': 'idleS', 'max-s': 'maxS' }[k] || k;
  if (!(key in a)) { console.error(`connector-sink: unknown option ${v[i]}`); process.exit(2); }
  a[key] = Number(v[i + 1]);
}

const now = () => performance.timeOrigin + performance.now();
const NL = 10;
const BACKSLASH = 92;
const EVENT = Buffer.from('"event":');
const TIME_GENERATED = Buffer.from('"TimeGenerated":');
const NLNL = Buffer.from('\n\n');
const MIN_BULK = Buffer.from('{"took":1,"errors":false,"items":[]}');
const HEC_OK = Buffer.from('{"text":"Success","code":0}');
const TOKEN = Buffer.from('{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"bench-token-not-a-secret"}');
const ES_ROOT = Buffer.from('{"name":"sink","cluster_name":"bench","version":{"number":"8.13.0","lucene_version":"9.10.0","minimum_wire_compatibility_version":"7.17.0","minimum_index_compatibility_version":"7.0.0"},"tagline":"You Know, for Search"}');

// Of the requests that carry events (not the token request or probes): wireBytes: request bodies as
// received (compressed or not); rawBytes: after gunzip; headerBytes: request line + headers
// (approximate, as Node parsed them), kept apart so body figures compare with sink.js's `bytes`.
const st = { events: 0, wireBytes: 0, rawBytes: 0, headerBytes: 0, requests: 0, eventRequests: 0, gzipRequests: 0, bulk: 0, hec: 0, sentinel: 0, token: 0, other: 0, badBodies: 0 };
let firstMs = 0, lastMs = 0;
let finished = false;

function countNl(buf) {
  let c = 0, i = -1;
  while ((i = buf.indexOf(NL, i + 1)) !== -1) c++;
  return c;
}
function countPat(buf, pat) {
  let c = 0, i = -pat.length;
  while ((i = buf.indexOf(pat, i + pat.length)) !== -1) c++;
  return c;
}
/** Occurrences of pat as a JSON key: not inside a string, where its quote would be escaped (\"). */
function countKey(buf, pat) {
  let c = 0, i = -pat.length;
  while ((i = buf.indexOf(pat, i + pat.length)) !== -1) if (i === 0 || buf[i - 1] !== BACKSLASH) c++;
  return c;
}
function bulkEvents(body) {
  const len = body.length;
  // non-empty lines (as sink.js: rsyslog's omelasticsearch emits an empty line after each document)
  let lines = countNl(body) - countPat(body, NLNL);
  if (len > 0 && body[0] === NL) lines--;
  if (len > 0 && body[len - 1] !== NL) lines++;
  return Math.ceil(lines / 2);
}

function summary(reason) {
  if (finished) return;
  finished = true;
  const cu = process.cpuUsage();
  const span = lastMs && firstMs ? (lastMs - firstMs) / 1000 : 0;
  console.log(JSON.stringify({ sink: 'connector', reason, events: st.events, bytes: st.wireBytes, wire_bytes: st.wireBytes, raw_bytes: st.rawBytes,
    header_bytes: st.headerBytes, requests: st.requests, event_requests: st.eventRequests, gzip_requests: st.gzipRequests, bulk_requests: st.bulk, hec_requests: st.hec,
    sentinel_requests: st.sentinel, token_requests: st.token, other_requests: st.other, bad_bodies: st.badBodies,
    first_ms: +firstMs.toFixed(1), last_ms: +lastMs.toFixed(1), span_s: +span.toFixed(3), span_rate: span > 0 ? Math.round(st.events / span) : 0,
    cpu_s: +((cu.user + cu.system) / 1e6).toFixed(3), peak_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1) }));
  process.exit(0);
}

/** t: when the request's last byte arrived (before gunzip and counting). */
function record(t, n) {
  if (n > 0) {
    if (!firstMs || t < firstMs) firstMs = t;
    if (t > lastMs) lastMs = t;
  }
  st.events += n;
  if (a.n && st.events >= a.n) setImmediate(() => summary('n'));
}

function reply(res, status, body, type = 'application/json') {
  if (!body) { res.writeHead(status, { 'content-length': 0 }); res.end(); return; }
  res.writeHead(status, { 'content-type': type, 'content-length': body.length });
  res.end(body);
}

function headerSize(req) {
  let n = req.method.length + req.url.length + 12; // "METHOD URL HTTP/1.1\r\n"
  for (let i = 0; i < req.rawHeaders.length; i += 2) n += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
  return n + 2;
}

function handle(req, res, wire, t) {
  const url = req.url;
  const gz = /\bgzip\b/i.test(req.headers['content-encoding'] || '');
  const kind = req.method !== 'POST' ? 'other'
    : url.includes('/oauth2/v2.0/token') ? 'token'
    : url.includes('_bulk') ? 'bulk'
    : url.startsWith('/services/collector') ? 'hec'
    : url.includes('/dataCollectionRules/') ? 'sentinel' : 'other';
  // bytes and requests of event-carrying requests only (not the token request or probes)
  const carries = kind === 'bulk' || kind === 'hec' || kind === 'sentinel';
  st.requests++;
  if (carries) {
    st.eventRequests++;
    st.wireBytes += wire.length;
    st.headerBytes += headerSize(req);
    if (gz) st.gzipRequests++;
  }
  const go = (raw) => {
    if (carries) st.rawBytes += raw.length;
    switch (kind) {
      case 'bulk':
        st.bulk++;
        record(t, bulkEvents(raw));
        return reply(res, 200, MIN_BULK);
      case 'hec':
        st.hec++;
        record(t, countKey(raw, EVENT));
        return reply(res, 200, HEC_OK);
      case 'sentinel':
        st.sentinel++;
        record(t, countKey(raw, TIME_GENERATED));
        return reply(res, 204, null); // the Logs Ingestion API answers 204 No Content
      case 'token':
        st.token++;
        return reply(res, 200, TOKEN);
      default: {
        st.other++;
        // ES root / health endpoints some clients read (as sink.js)
        const out = url.startsWith('/_cat/health') ? Buffer.from('1700000000 00:00:00 bench green 1 1 0 0 0 0 0 0 - 100.0%\n') : ES_ROOT;
        return reply(res, 200, out, url.startsWith('/_cat') ? 'text/plain' : 'application/json');
      }
    }
  };
  if (!gz) return go(wire);
  // on the libuv pool, so a large body does not hold the event loop
  zlib.gunzip(wire, (err, raw) => {
    if (err) {
      st.badBodies++;
      return reply(res, 400, Buffer.from(JSON.stringify({ error: { type: 'parse_exception', reason: `bad gzip body: ${err.message}` } })));
    }
    go(raw);
  });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let len = 0;
  req.on('data', (c) => { chunks.push(c); len += c.length; });
  req.on('end', () => {
    const t = now();
    handle(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, len), t);
  });
});
server.keepAliveTimeout = 120000;
server.headersTimeout = 130000;
server.requestTimeout = 0;
server.listen(a.port, '127.0.0.1', () => console.error(`connector-sink listening 127.0.0.1:${a.port}`));

process.on('SIGTERM', () => summary('sigterm'));
process.on('SIGINT', () => summary('sigint'));
const started = Date.now();
setInterval(() => {
  if (Date.now() - started > a.maxS * 1000) summary('max');
  if (lastMs && now() - lastMs > a.idleS * 1000) summary('idle');
}, 200).unref();
setTimeout(() => summary('max'), a.maxS * 1000);
