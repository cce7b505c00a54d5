'use strict';
// Correctness part of bench/parse.js: runs every parser over the shared corpus cases that carry expected values and
// compares field by field after a normalisation applied identically to every parser (see NORMALISATION below).
const fs = require('fs');
const path = require('path');
const { LOGSTASH_CEF_EXPECTED } = require('./parse-cef-expected');

const CORPUS = path.resolve(__dirname, '../../shared/corpus');

const NORMALISATION = [
  'Applied identically to every parser:',
  'hostname/appname/procid/msgid: null, "" and the RFC 5424 NILVALUE "-" count as absent;',
  'message: absent = ""; one leading BOM (U+FEFF) is ignored on both sides (go-syslog keeps it in MSG, RFC 5424 calls it an encoding marker);',
  'structured data: nsyslog-parser\'s [{$id, k: v}] list is mapped to {id: {k: v}}; no element ([] / {} / null) = absent;',
  'timestamps compare as instants at millisecond precision (JS Date has no more); RFC 3164 stamps without a year compare as month/day/time-of-day in UTC (ctx.timezone = UTC);',
  'go-syslog invalid cases: "rejected or flagged" = threw is counted apart; returned nothing, or not as RFC 5424 (other format / parse_error tag / type != RFC5424);',
  'rsyslog cases: inputs are unescaped like rsyslog\'s tests/nettester.c (\\\\, \\n, \\r, \\t, \\ooo octal); parser output strings get rsyslog\'s control-character escape (#ooo); leading spaces of msg are ignored (rsyslog keeps the SP after the tag); a missing PRI counts as 13 (user.notice, RFC 3164 §4.3.3 relay default, what rsyslog reports); "~H" (receiver host) = hostname absent; when rsyslog left %programname% empty but set %syslogtag% (its RFC 5424 quirk) the expected program is the tag minus [pid] and ":";',
  'CEF: header fields as strings (CEF version "0"); extension keys as on the wire (logstash/VRL expectations re-keyed to the wire key); VRL translate_custom_fields is applied to every parser\'s output for that one case; glossy does not parse CEF (n/a).',
];

// ---------------------------------------------------------------------------------------------------------------
// case loading

function readJsonl(rel) {
  const file = path.join(CORPUS, rel);
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

function goSyslogInput(r) {
  return r.input_hex !== undefined ? Buffer.from(r.input_hex, 'hex').toString('utf8') : r.input;
}

function loadGoSyslog() {
  return readJsonl('rfc_edge/go_syslog_cases.jsonl').map((r) => ({
    id: r.id,
    input: goSyslogInput(r),
    fmt: r.source_path.startsWith('rfc3164') ? '3164' : '5424',
    valid: r.valid,
    expected: r.expected,
    error: r.error,
    notes: r.notes,
    invalidUtf8: r.input_hex !== undefined,
  }));
}

/** rsyslog tests/nettester.c unescapeTestdata(): \\ \n \r \t and \ooo (1-3 octal digits). */
function nettesterUnescape(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') { out += c; continue; }
    const n = s[i + 1];
    if (n === '\\') { out += '\\'; i++; } else if (n === 'n') { out += '\n'; i++; } else if (n === 'r') { out += '\r'; i++; } else if (n === 't') { out += '\t'; i++; } else if (n >= '0' && n <= '3') {
      let v = 0; let k = i + 1; let d = 0;
      while (d < 3 && s[k] >= '0' && s[k] <= '7') { v = v * 8 + (s.charCodeAt(k) - 48); k++; d++; }
      out += String.fromCharCode(v); i = k - 1;
    } else { out += c; }
  }
  return out;
}

/** Splits `prog,tag,msg` where prog and tag may themselves contain commas: tag starts with prog. */
function splitProgTagMsg(s) {
  for (let i = s.indexOf(','); i >= 0; i = s.indexOf(',', i + 1)) {
    const prog = s.slice(0, i);
    const rest = s.slice(i + 1);
    if (!rest.startsWith(prog)) continue;
    const j = rest.indexOf(',', prog.length);
    if (j < 0) continue;
    return { prog, tag: rest.slice(0, j), msg: rest.slice(j + 1) };
  }
  return undefined;
}

function progFromTag(tag) {
  return tag.replace(/:$/, '').replace(/\[[^\]]*\]$/, '');
}

const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

function loadRsyslog() {
  return readJsonl('rfc_edge/rsyslog_parser_cases.jsonl').map((r) => {
    const exp = {};
    const f = r.expected_format;
    const e = r.expected;
    if (f.includes('%timereported')) {
      const v = JSON.parse(`[${e}]`); // csv of quoted strings
      exp.severity = Number(v[4]);
      exp.hostname = v[1];
      exp.program = v[2];
      exp.msg = v[5];
    } else {
      const parts = e.split(',');
      exp.pri = Number(parts[0]);
      let rest = parts.slice(3).join(',');
      rest = rest.slice(16); // `Mmm dd hh:mm:ss,` (the template's fixed-width %timestamp%)
      if (f.includes('%hostname%')) {
        const c = rest.indexOf(',');
        exp.hostname = rest.slice(0, c);
        rest = rest.slice(c + 1);
      }
      const ptm = splitProgTagMsg(rest);
      if (!ptm) throw new Error(`cannot split rsyslog expected line of ${r.id}: ${e}`);
      exp.program = ptm.prog === '' && ptm.tag !== '' ? progFromTag(ptm.tag) : ptm.prog;
      exp.msg = ptm.msg;
    }
    if (exp.hostname === '~H') exp.hostname = undefined;
    return {
      id: r.id, input: nettesterUnescape(r.input), rawInput: r.input, fmt: /rfc5424/.test(r.source_path) ? '5424' : '3164',
      expected: exp, expectedLine: e,
    };
  });
}

function loadCef() {
  const out = [];
  for (const r of readJsonl('cef_generic/vrl_parse_cef_examples.cases.jsonl')) {
    const { cefVersion, deviceVendor, deviceProduct, deviceVersion, deviceEventClassId, name, severity, ...ext } = r.expected;
    out.push({
      id: `vrl:${r.title}`, input: r.input, full: true, translate: !!(r.options && r.options.translate_custom_fields === 'true'),
      expected: { header: { version: cefVersion, deviceVendor, deviceProduct, deviceVersion, deviceEventClassId, name, severity }, ext },
    });
  }
  for (const r of readJsonl('cef_generic/logstash_codec_cef_spec_cases.jsonl')) {
    const exp = LOGSTASH_CEF_EXPECTED[r.spec_line];
    if (!exp) throw new Error(`no transcribed expectation for logstash cef_spec.rb line ${r.spec_line}`);
    out.push({ id: `logstash:${r.name}@${r.spec_line}`, input: r.input, full: false, expected: exp });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// per-parser adapters: text -> canonical record (or null when the parser rejected the text)

function absent(v) { return v === undefined || v === null || v === '' || v === '-' ? undefined : v; }
function msgNorm(v) {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
function sdNorm(sd) {
  if (sd === undefined || sd === null) return undefined;
  if (Array.isArray(sd)) {
    if (sd.length === 0) return undefined;
    const o = {};
    for (const el of sd) {
      const { $id, ...params } = el;
      o[$id] = Object.assign(o[$id] || {}, params);
    }
    return o;
  }
  return Object.keys(sd).length === 0 ? undefined : sd;
}
function tsOf(v) {
  if (v === undefined || v === null) return undefined;
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(v);
  return Number.isNaN(ms) ? 'Invalid Date' : ms;
}

function makeAdapters(P, glossy, nsyslog, ctx) {
  const fromOurs = (p) => (p === undefined ? null : {
    accepted5424: p.header === 'rfc5424' && !(p.tags && p.tags.includes('parse_error')),
    pri: p.pri, version: p.version, ts: p.timestamp, hostname: p.hostname, appname: p.appname, procid: p.procid,
    msgid: p.msgid, sd: P.structuredDataOf(p), message: p.message,
  });
  const cefFromOurs = (c) => (c === undefined ? null : {
    header: {
      version: String(c.version), deviceVendor: c.deviceVendor, deviceProduct: c.deviceProduct, deviceVersion: c.deviceVersion,
      deviceEventClassId: c.deviceEventClassId, name: c.name, severity: c.severity,
    },
    ext: c.extensions,
  });
  return [
    {
      name: 'ours (format-specific)',
      fields: null,
      syslog(text, fmt) { return fromOurs(fmt === '5424' ? P.parseRfc5424(text, ctx) : P.parseRfc3164(text, ctx)); },
      cef(text) { return cefFromOurs(P.parseCef(text)); },
    },
    {
      name: 'ours parseMessage',
      syslog(text) {
        const p = P.parseMessage(text, ctx);
        return p.header === 'none' && p.format === 'unknown' ? null : fromOurs(p);
      },
      cef(text) { const p = P.parseMessage(text, ctx); return p.cef ? cefFromOurs(p.cef) : null; },
    },
    {
      name: 'glossy',
      unsupported: ['version'],
      syslog(text) {
        const r = glossy.parse(text);
        if (!r || r.type === undefined) return null;
        return {
          accepted5424: r.type === 'RFC5424',
          pri: r.prival, version: undefined, ts: r.time, hostname: r.host, appname: r.appName, procid: r.pid,
          msgid: r.msgID, sd: r.structuredData, message: r.message,
        };
      },
      cef: null, // glossy has no CEF parser (it reads the syslog header only)
    },
    {
      name: 'nsyslog-parser',
      syslog(text) {
        const r = nsyslog(text);
        if (!r) return null;
        return {
          accepted5424: r.type === 'RFC5424',
          pri: r.prival === null ? undefined : r.prival, version: r.version, ts: r.ts, hostname: r.host, appname: r.appName,
          procid: r.pid, msgid: r.messageid, sd: r.structuredData, message: r.message,
        };
      },
      cef(text) {
        const r = nsyslog(text);
        if (!r || !r.cef) return null;
        const c = r.cef;
        return {
          header: {
            version: String(c.version).replace(/^CEF:/, ''), deviceVendor: c.deviceVendor, deviceProduct: c.deviceProduct,
            deviceVersion: c.deviceVersion, deviceEventClassId: c.deviceEventClassID, name: c.name, severity: c.severity,
          },
          ext: Array.isArray(r.fields) ? {} : r.fields,
        };
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// comparison helpers

function eq(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

/** RFC 3339 string -> epoch ms (fraction truncated to ms). */
function rfc3339Ms(s) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return Date.parse(s);
  const ms = Number(((m[7] || '') + '000').slice(0, 3));
  let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
  if (m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    t -= sign * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6))) * 60000;
  }
  return t;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function bsdOfMs(ms) {
  const d = new Date(ms);
  const p2 = (n) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

function fmtVal(v) {
  if (v === undefined) return '(absent)';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function newTally(name) {
  return { parser: name, cases: 0, agree: 0, disagree: 0, threw: 0, na: 0, fields_compared: 0, fields_agree: 0, per_field: {}, examples: [] };
}

function addField(t, field, ok) {
  t.fields_compared++;
  if (ok) t.fields_agree++;
  const f = t.per_field[field] || (t.per_field[field] = { compared: 0, agree: 0 });
  f.compared++;
  if (ok) f.agree++;
}

function finishCase(t, c, diffs, detail, maxExamples) {
  t.cases++;
  if (diffs.length === 0) { t.agree++; return { id: c.id, verdict: 'agree' }; }
  t.disagree++;
  if (t.examples.length < maxExamples) t.examples.push({ id: c.id, input: c.input, diffs, detail });
  return { id: c.id, verdict: 'disagree', diffs };
}

function threw(t, c, err, maxExamples) {
  t.cases++;
  t.threw++;
  const msg = err && err.message ? err.message : String(err);
  if (t.examples.length < maxExamples) t.examples.push({ id: c.id, input: c.input, threw: msg });
  return { id: c.id, verdict: 'threw', error: msg };
}

// ---------------------------------------------------------------------------------------------------------------
// suites

const GO_FIELDS = ['priority', 'facility', 'severity', 'version', 'timestamp', 'hostname', 'appname', 'procid', 'msgid', 'structured_data', 'message'];

function runGoValid(adapter, cases, maxEx) {
  const t = newTally(adapter.name);
  const results = [];
  for (const c of cases) {
    let r;
    try { r = adapter.syslog(c.input, c.fmt); } catch (e) { results.push(threw(t, c, e, maxEx)); continue; }
    const e = c.expected;
    const diffs = [];
    if (r === null) {
      diffs.push({ field: '(whole message)', expected: 'parsed', actual: 'rejected' });
      for (const f of GO_FIELDS) addField(t, f, false);
      results.push(finishCase(t, c, diffs, undefined, maxEx));
      continue;
    }
    const pri = r.pri === undefined || r.pri === null ? undefined : Number(r.pri);
    const act = {
      priority: pri,
      facility: pri === undefined ? undefined : pri >> 3,
      severity: pri === undefined ? undefined : pri & 7,
      version: r.version === undefined || r.version === null ? undefined : Number(r.version),
      hostname: absent(r.hostname), appname: absent(r.appname), procid: absent(r.procid), msgid: absent(r.msgid),
      structured_data: sdNorm(r.sd), message: msgNorm(r.message),
    };
    const exp = {
      priority: e.priority, facility: e.facility, severity: e.severity, version: e.version,
      hostname: e.hostname, appname: e.appname, procid: e.procid, msgid: e.msgid,
      structured_data: sdNorm(e.structured_data), message: msgNorm(e.message),
    };
    // timestamp as an instant (3164: no year -> month/day/time in UTC)
    const ats = tsOf(r.ts);
    if (c.fmt === '3164') {
      exp.timestamp = e.timestamp === undefined ? undefined : e.timestamp.replace(/\s+/g, ' ');
      act.timestamp = typeof ats === 'number' ? bsdOfMs(ats) : ats;
    } else {
      exp.timestamp = e.timestamp === undefined ? undefined : new Date(rfc3339Ms(e.timestamp)).toISOString();
      act.timestamp = typeof ats === 'number' ? new Date(ats).toISOString() : ats;
    }
    for (const f of GO_FIELDS) {
      if (adapter.unsupported && adapter.unsupported.includes(f)) continue;
      const ok = eq(act[f], exp[f]);
      addField(t, f, ok);
      if (!ok) diffs.push({ field: f, expected: exp[f], actual: act[f] });
    }
    results.push(finishCase(t, c, diffs, undefined, maxEx));
  }
  return { tally: t, results };
}

function runGoInvalid(adapter, cases, maxEx) {
  const t = { parser: adapter.name, cases: 0, rejected_or_flagged: 0, accepted: 0, threw: 0, accepted_invalid_utf8: 0, by_error: {}, examples: [] };
  const results = [];
  for (const c of cases) {
    t.cases++;
    const key = (c.error || '').replace(/ \[col.*$/, '').replace(/^parsing time .*day out of range$/, 'day out of range');
    const b = t.by_error[key] || (t.by_error[key] = { cases: 0, rejected_or_flagged: 0 });
    b.cases++;
    let r;
    try { r = adapter.syslog(c.input, '5424'); } catch (e) {
      t.threw++;
      results.push({ id: c.id, verdict: 'threw', error: e.message });
      continue;
    }
    const flagged = r === null || !r.accepted5424;
    if (flagged) { t.rejected_or_flagged++; b.rejected_or_flagged++; } else {
      t.accepted++;
      if (c.invalidUtf8) t.accepted_invalid_utf8++;
      if (t.examples.length < maxEx && !c.invalidUtf8) t.examples.push({ id: c.id, input: c.input, expected_error: c.error, accepted_as: summarize(r) });
    }
    results.push({ id: c.id, verdict: flagged ? 'rejected_or_flagged' : 'accepted' });
  }
  return { tally: t, results };
}

function summarize(r) {
  const o = {};
  for (const k of ['pri', 'version', 'hostname', 'appname', 'procid', 'msgid', 'message']) if (absent(r[k]) !== undefined) o[k] = r[k];
  const sd = sdNorm(r.sd);
  if (sd) o.sd = sd;
  const s = JSON.stringify(o);
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

/** rsyslog's escaping of control characters in properties: `#` + 3 octal digits. */
function rsEscape(s) {
  if (s === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (ch) => `#${ch.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function runRsyslog(adapter, cases, maxEx) {
  const t = newTally(adapter.name);
  const results = [];
  for (const c of cases) {
    let r;
    try { r = adapter.syslog(c.input, c.fmt); } catch (e) { results.push(threw(t, c, e, maxEx)); continue; }
    const e = c.expected;
    const diffs = [];
    const fields = e.pri !== undefined ? ['pri', 'hostname', 'program', 'msg'] : ['severity', 'hostname', 'program', 'msg'];
    if (!('hostname' in e)) fields.splice(1, 1);
    let act;
    if (r === null) {
      act = {};
    } else {
      const pri = r.pri === undefined || r.pri === null ? 13 : Number(r.pri);
      act = {
        pri, severity: pri & 7, hostname: rsEscape(absent(r.hostname)), program: rsEscape(absent(r.appname)) || '',
        msg: rsEscape(msgNorm(r.message)).replace(/^\s+/, ''),
      };
    }
    const exp = { ...e, program: e.program || '', msg: (e.msg || '').replace(/^\s+/, '') };
    for (const f of fields) {
      const ok = r !== null && eq(act[f], exp[f]);
      addField(t, f, ok);
      if (!ok) diffs.push({ field: f, expected: exp[f], actual: r === null ? '(rejected)' : act[f] });
    }
    results.push(finishCase(t, c, diffs, { expected_line: c.expectedLine }, maxEx));
  }
  return { tally: t, results };
}

function translateCustom(ext) {
  const o = { ...ext };
  for (const k of Object.keys(ext)) {
    if (!k.endsWith('Label')) continue;
    const base = k.slice(0, -5);
    if (base in o) { o[ext[k]] = o[base]; delete o[base]; delete o[k]; }
  }
  return o;
}

function runCef(adapter, cases, maxEx) {
  const t = newTally(adapter.name);
  const results = [];
  for (const c of cases) {
    if (!adapter.cef || c.expected.skip) {
      t.na++;
      results.push({ id: c.id, verdict: 'n/a', why: adapter.cef ? c.expected.skip : 'parser has no CEF support' });
      continue;
    }
    let r;
    try { r = adapter.cef(c.input); } catch (e) { results.push(threw(t, c, e, maxEx)); continue; }
    const diffs = [];
    const e = c.expected;
    if (e.invalid) {
      const flagged = r === null;
      addField(t, '(rejects invalid)', flagged);
      if (!flagged) diffs.push({ field: '(whole message)', expected: `rejected: ${e.invalid}`, actual: `accepted, ${Object.keys(r.ext || {}).length} extension pairs, no flag` });
      results.push(finishCase(t, c, diffs, undefined, maxEx));
      continue;
    }
    if (r === null) {
      diffs.push({ field: '(whole message)', expected: 'parsed', actual: 'rejected' });
      addField(t, 'header', false);
      results.push(finishCase(t, c, diffs, undefined, maxEx));
      continue;
    }
    for (const [k, v] of Object.entries(e.header || {})) {
      const ok = r.header[k] === v;
      addField(t, k, ok);
      if (!ok) diffs.push({ field: k, expected: v, actual: r.header[k] });
    }
    const ext = c.translate ? translateCustom(r.ext || {}) : (r.ext || {});
    for (const [k, v] of Object.entries(e.ext || {})) {
      const ok = Object.prototype.hasOwnProperty.call(ext, k) && ext[k] === v;
      addField(t, 'extension value', ok);
      if (!ok) diffs.push({ field: `ext.${k}`, expected: v, actual: Object.prototype.hasOwnProperty.call(ext, k) ? ext[k] : undefined });
    }
    if (c.full) { // VRL gives the complete result: no extra keys either
      const extra = Object.keys(ext).filter((k) => !(k in e.ext));
      addField(t, 'extension key set', extra.length === 0);
      if (extra.length) diffs.push({ field: 'ext (extra keys)', expected: '(none)', actual: extra.map((k) => `${k}=${ext[k]}`).join(' ') });
    }
    results.push(finishCase(t, c, diffs, undefined, maxEx));
  }
  return { tally: t, results };
}

function runCorrectness({ P, glossy, nsyslog, ctx, maxExamples = 6 }) {
  const go = loadGoSyslog();
  const goValid5424 = go.filter((c) => c.valid && c.fmt === '5424');
  const goValid3164 = go.filter((c) => c.valid && c.fmt === '3164');
  const goInvalid = go.filter((c) => !c.valid);
  const rs = loadRsyslog();
  const cef = loadCef();
  const adapters = makeAdapters(P, glossy, nsyslog, ctx);
  const suites = {
    go_syslog_valid_5424: { desc: `go_syslog_cases.jsonl, valid RFC 5424 (leodido/go-syslog), ${goValid5424.length} cases`, rows: [] },
    go_syslog_valid_3164: { desc: `go_syslog_cases.jsonl, valid RFC 3164 (influxdata/go-syslog), ${goValid3164.length} cases`, rows: [] },
    go_syslog_invalid_5424: { desc: `go_syslog_cases.jsonl, invalid RFC 5424 (leodido/go-syslog), ${goInvalid.length} cases: rejected or flagged?`, rows: [] },
    rsyslog_parser: { desc: `rsyslog_parser_cases.jsonl, ${rs.length} cases: pri, hostname, program, msg`, rows: [] },
    cef: { desc: `CEF: vrl_parse_cef_examples (${cef.filter((c) => c.full).length}, full results) + logstash_codec_cef_spec_cases (${cef.filter((c) => !c.full).length}, spec assertions transcribed in bench/parse-cef-expected.js)`, rows: [] },
  };
  const perCase = {};
  for (const a of adapters) {
    const add = (suite, out) => { suites[suite].rows.push(out.tally); (perCase[suite] || (perCase[suite] = {}))[a.name] = out.results; };
    add('go_syslog_valid_5424', runGoValid(a, goValid5424, maxExamples));
    add('go_syslog_valid_3164', runGoValid(a, goValid3164, maxExamples));
    add('go_syslog_invalid_5424', runGoInvalid(a, goInvalid, maxExamples));
    add('rsyslog_parser', runRsyslog(a, rs, maxExamples));
    add('cef', runCef(a, cef, maxExamples));
  }
  return { suites, perCase, normalisation: NORMALISATION };
}

module.exports = { runCorrectness, fmtVal, nettesterUnescape, splitProgTagMsg, NORMALISATION };
