"use strict";
// Baseline for bench/serialize.js only: the compiled code as it was before the byte writer (not used by the gateway).
Object.defineProperty(exports, "__esModule", { value: true });
exports.writeEcs = writeEcs;
const parse_1 = require("../../dist/src/parse");
const structured_data_1 = require("../../dist/src/parse/structured-data");
const cef_names_1 = require("../../dist/src/pipeline/cef-names");
const ecs_1 = require("../../dist/src/pipeline/ecs");
/**
 * The per-event fast path: writes the ECS document of a syslog/CEF/LEEF/kv message straight to
 * JSON text, without building the object and walking it again with JSON.stringify (measured: the
 * object + stringify cost 3× the parse itself). `toEcs` in ecs.ts is the reference: both must give
 * the same document, which test/unit/pipeline/ecs-writer.test.ts checks over the corpus and fuzzed
 * input. Messages that arrive as JSON objects (HTTP) keep the object path.
 */
// One compiled test for "needs escaping": most values don't, and then quoting is a concatenation.
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
function q(s) {
    return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}
const FACILITY_JSON = ecs_1.FACILITY.map((name, code) => `{"code":${code},"name":${q(name)}}`);
const SEVERITY_JSON = ecs_1.SEVERITY.map((name, code) => `{"code":${code},"name":${q(name)}}`);
const LEVEL_JSON = ecs_1.SEVERITY.map((name) => q(name.toLowerCase()));
const ECS_TAIL = `,"ecs":{"version":"${ecs_1.ECS_VERSION}"}}`;
function writeEcs(p, b, e) {
    const meta = e.meta;
    let s = `{"@timestamp":"${(0, ecs_1.timestampOf)(p, meta, b.created)}","event":{"original":${q(e.raw)},"created":"${b.created}","id":"${e.id}","kind":"event"`;
    const cef = p.cef;
    const leef = p.leef;
    if (cef) {
        s += `,"code":${q(cef.deviceEventClassId)}`;
        const sev = (0, ecs_1.cefSeverity)(cef.severity);
        if (sev !== undefined)
            s += `,"severity":${sev}`;
    }
    else if (leef) {
        s += `,"code":${q(leef.eventId)}`;
    }
    s += `},"message":${q((0, ecs_1.messageOf)(p))}`;
    if (p.header !== 'none' || p.pri !== undefined) {
        s += ',"log":{"syslog":{';
        let sep = '';
        if (p.pri !== undefined) {
            s += `"priority":${p.pri},"facility":${FACILITY_JSON[p.pri >> 3]},"severity":${SEVERITY_JSON[p.pri & 7]}`;
            sep = ',';
        }
        if (p.appname !== undefined) {
            s += `${sep}"appname":${q(p.appname)}`;
            sep = ',';
        }
        if (p.procid !== undefined) {
            s += `${sep}"procid":${q(p.procid)}`;
            sep = ',';
        }
        if (p.msgid !== undefined) {
            s += `${sep}"msgid":${q(p.msgid)}`;
            sep = ',';
        }
        if (p.hostname !== undefined) {
            s += `${sep}"hostname":${q(p.hostname)}`;
            sep = ',';
        }
        if (p.version !== undefined) {
            s += `${sep}"version":"${p.version}"`;
            sep = ',';
        }
        if (p.structuredData !== undefined)
            s += `${sep}"structured_data":${writeSd(p.structuredData)}`;
        else if (p.sdText !== undefined)
            s += `${sep}"structured_data":${sdTextJson(p)}`;
        s += '}';
        if (p.pri !== undefined)
            s += `,"level":${LEVEL_JSON[p.pri & 7]}`;
        s += '}';
    }
    const hostname = meta?.host ?? p.hostname;
    if (hostname !== undefined) {
        const h = q(hostname);
        s += `,"host":{"hostname":${h},"name":${h}}`;
    }
    else if (e.peer.ip !== '') {
        s += `,"host":{"ip":"${e.peer.ip}"}`;
    }
    if (p.appname !== undefined && p.header !== 'none') {
        s += `,"process":{"name":${q(p.appname)}`;
        if (p.procid !== undefined && (0, ecs_1.isDigits)(p.procid))
            s += `,"pid":${Number(p.procid)}`;
        s += '}';
    }
    if (e.peer.ip !== '') {
        s += `,"source":{"ip":"${e.peer.ip}","port":${e.peer.port}},"network":{"transport":"${e.peer.transport === 'udp' ? 'udp' : 'tcp'}","protocol":"${e.peer.transport === 'http' ? 'http' : 'syslog'}"}`;
    }
    if (cef) {
        s += `,"cef":{"version":"${cef.version}","device":{"vendor":${q(cef.deviceVendor)},"product":${q(cef.deviceProduct)},"version":${q(cef.deviceVersion)},"event_class_id":${q(cef.deviceEventClassId)}},"name":${q(cef.name)},"severity":${q(cef.severity)},"extensions":{`;
        let sep = '';
        const ext = cef.extensions;
        for (const key in ext) {
            s += `${sep}${q((0, cef_names_1.cefFullName)(key))}:${q(ext[key])}`;
            sep = ',';
        }
        s += `}},"observer":{"vendor":${q(cef.deviceVendor)},"product":${q(cef.deviceProduct)},"version":${q(cef.deviceVersion)}}`;
    }
    if (leef) {
        s += `,"leef":{"version":${q(leef.version)},"vendor":${q(leef.vendor)},"product":${q(leef.product)},"product_version":${q(leef.productVersion)},"event_id":${q(leef.eventId)},"attributes":${writeFlat(leef.attributes)}}`;
        if (!cef)
            s += `,"observer":{"vendor":${q(leef.vendor)},"product":${q(leef.product)},"version":${q(leef.productVersion)}}`;
    }
    if (p.fields !== undefined)
        s += `,"${p.format === 'kv' ? 'kv' : 'json'}":${JSON.stringify(p.fields)}`;
    const tags = p.tags;
    if (tags !== undefined || e.truncated || p.format === 'unknown') {
        const all = tags ? tags.slice() : [];
        if (e.truncated)
            all.push('truncated');
        if (p.format === 'unknown' && !all.includes('parse_error'))
            all.push('parse_error');
        s += `,"tags":[${all.map(q).join(',')}]`;
    }
    if (p.error !== undefined)
        s += `,"error":{"message":${q(p.error)}}`;
    if (meta?.fields !== undefined) {
        s += ',"labels":{';
        let sep = '';
        for (const k in meta.fields) {
            const v = meta.fields[k];
            s += `${sep}${q(k)}:${q(typeof v === 'string' ? v : JSON.stringify(v))}`;
            sep = ',';
        }
        s += '}';
    }
    s += `,"siemgate":{"input":${q(e.peer.input)},"format":"${p.format}"`;
    if (e.peer.ip !== '')
        s += `,"peer":{"ip":"${e.peer.ip}","port":${e.peer.port}}`;
    if (meta) {
        if (meta.sourcetype !== undefined)
            s += `,"sourcetype":${q(meta.sourcetype)}`;
        if (meta.index !== undefined)
            s += `,"index":${q(meta.index)}`;
        if (meta.source !== undefined)
            s += `,"source":${q(meta.source)}`;
    }
    return s + '}' + ECS_TAIL;
}
function writeSd(sd) {
    let s = '{';
    let sep = '';
    for (const id in sd) {
        s += `${sep}${q(id)}:${writeFlat(sd[id])}`;
        sep = ',';
    }
    return s + '}';
}
function writeFlat(o) {
    let s = '{';
    let sep = '';
    for (const k in o) {
        s += `${sep}${q(k)}:${q(o[k])}`;
        sep = ',';
    }
    return s + '}';
}
// ---- structured data straight from the wire text ----------------------------------------------
// Spans [start, end) of the SD-IDs seen so far and of the param names of the current element, to
// detect repeats (which the object form merges / overwrites). Module scratch: writeEcs is synchronous.
const SD_MAX = 32;
const idSpans = new Int32Array(SD_MAX * 2);
const paramSpans = new Int32Array(SD_MAX * 2);
/**
 * `log.syslog.structured_data` as JSON, written from `p.sdText` in one scan: the parser validated
 * it (src/parse/structured-data.ts has the grammar), so this only delimits names and values, copies
 * them as slices and escapes where needed. A value with a backslash is decoded and quoted by
 * JSON.stringify (rare). Where plain copying would not give the object's JSON, the
 * objects are built (structuredDataOf) and written as toEcs would: a repeated SD-ID (merged), a
 * repeated param name (last wins, first position), an all-digit name (array-index keys enumerate
 * first), more than SD_MAX ids or params.
 */
function sdTextJson(p) {
    const t = p.sdText;
    const len = t.length;
    let out = '{';
    let nIds = 0;
    let i = 0;
    let bs = t.indexOf('\\'); // the next backslash (moved forward as values pass it)
    while (i < len) {
        // t[i] is `[`
        i++;
        let j = i;
        for (;;) {
            const c = t.charCodeAt(j);
            if (c === 32 || c === 93 /* ] */)
                break;
            j++;
        }
        if (nIds === SD_MAX || seenSpan(t, idSpans, nIds, i, j))
            return sdObjectJson(p);
        idSpans[2 * nIds] = i;
        idSpans[2 * nIds + 1] = j;
        const id = nameJson(t, i, j);
        if (id === '')
            return sdObjectJson(p);
        out += nIds === 0 ? `${id}:{` : `,${id}:{`;
        nIds++;
        let nParams = 0;
        i = j;
        for (;;) {
            let c = t.charCodeAt(i);
            if (c === 93) {
                i++;
                break;
            }
            // SP+ then a param, or `]`
            i++;
            while (t.charCodeAt(i) === 32)
                i++;
            if (t.charCodeAt(i) === 93)
                continue;
            const eq = t.indexOf('=', i);
            j = eq;
            while (t.charCodeAt(j - 1) === 32)
                j--;
            if (nParams === SD_MAX || seenSpan(t, paramSpans, nParams, i, j))
                return sdObjectJson(p);
            paramSpans[2 * nParams] = i;
            paramSpans[2 * nParams + 1] = j;
            const name = nameJson(t, i, j);
            if (name === '')
                return sdObjectJson(p);
            i = eq + 1;
            while (t.charCodeAt(i) === 32)
                i++;
            i++; // the opening quote
            // the value ends at the first `"` not escaped: found natively unless a backslash comes first
            let k = t.indexOf('"', i);
            if (bs >= 0 && bs < i)
                bs = t.indexOf('\\', i);
            let value;
            if (bs >= 0 && bs < k) {
                k = i;
                for (;;) {
                    c = t.charCodeAt(k);
                    if (c === 34 /* " */)
                        break;
                    k += c === 92 /* \ */ ? 2 : 1;
                }
                value = JSON.stringify((0, structured_data_1.unescapeSdValue)(t, i, k));
                bs = t.indexOf('\\', k);
            }
            else {
                value = q(t.slice(i, k)); // nothing to decode; q escapes control chars
            }
            out += nParams === 0 ? `${name}:${value}` : `,${name}:${value}`;
            nParams++;
            i = k + 1;
        }
        out += '}';
    }
    return out + '}';
}
/** Whether t[i, j) equals one of the first n spans recorded in `spans`. */
function seenSpan(t, spans, n, i, j) {
    const len = j - i;
    for (let m = 0; m < n; m++) {
        const a = spans[2 * m];
        if (spans[2 * m + 1] - a !== len)
            continue;
        let k = 0;
        while (k < len && t.charCodeAt(a + k) === t.charCodeAt(i + k))
            k++;
        if (k === len)
            return true;
    }
    return false;
}
/**
 * An SD-NAME t[i, j) as a JSON string, or '' when it is all digits (an array-index key, which
 * object enumeration would move to the front). SD-NAME chars are printable ASCII without `"`:
 * only `\` needs escaping.
 */
function nameJson(t, i, j) {
    let digits = true;
    let backslash = false;
    for (let k = i; k < j; k++) {
        const c = t.charCodeAt(k);
        if (c < 48 || c > 57) {
            digits = false;
            if (c === 92)
                backslash = true;
        }
    }
    if (digits)
        return '';
    return backslash ? JSON.stringify(t.slice(i, j)) : `"${t.slice(i, j)}"`;
}
/** The fallback: the decoded objects, written like any object (same JSON as toEcs gives). */
function sdObjectJson(p) {
    const sd = (0, parse_1.structuredDataOf)(p);
    return sd === undefined ? '{}' : writeSd(sd);
}
