'use strict';
// Inputs for bench/parse.js.
//  - RFC 5424 / RFC 3164: the shared peer-bench pool (/work/shared/peer-bench/msgs.js makePool), so the parse
//    micro-benchmark reads exactly the messages the end-to-end peer benchmark sends.
//  - CEF: our own deterministic generator (below): an RFC 3164 header (`<PRI>Mmm dd hh:mm:ss host `) + CEF:0 with
//    8-15 extension pairs, including values with spaces, escaped `\=` (and some `\\`), ~300-400 bytes.
const path = require('path');
const fs = require('fs');

const PEER_MSGS = path.resolve(__dirname, '../../shared/peer-bench/msgs.js');

function loadPeerPool(fmt, count) {
  if (!fs.existsSync(PEER_MSGS)) {
    throw new Error(`bench/parse: the shared message pool ${PEER_MSGS} is missing; it is needed for the RFC 5424/3164 `
      + 'inputs (same messages as the end-to-end peer benchmark). Restore /work/shared/peer-bench or run from the checkout '
      + 'that has ../shared/peer-bench next to it.');
  }
  // eslint-disable-next-line global-require, import/no-dynamic-require
  const { makePool } = require(PEER_MSGS);
  if (typeof makePool !== 'function') throw new Error(`bench/parse: ${PEER_MSGS} does not export makePool(fmt, n)`);
  return makePool(fmt, count);
}

// Small LCG (same constants as msgs.js) so every run produces the same bytes.
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HOSTS = ['fw01', 'pa-edge-2', 'fgt-dc1', 'cp-mgmt', 'ips-sensor-7'];
const USERS = ['alice@example.org', 'bob', 'EXAMPLE\\\\svc_backup', 'carol.smith', 'dave@corp.example.com'];
const APPS = ['web-browsing', 'ssl', 'dns', 'ms-rdp', 'smtp'];
const ACTS = ['allow', 'deny', 'drop', 'reset-both', 'alert'];

function pad(n, w) { return String(n).padStart(w, '0'); }
function ip(r, pfx) { return `${pfx}.${(r() >>> 8) % 255}.${1 + ((r() >>> 12) % 254)}`; }

// Vendor templates: header fields + a function returning the extension pairs [key, wireValue] (already escaped).
const TEMPLATES = [
  {
    vendor: 'Palo Alto Networks', product: 'PAN-OS', version: '10.2.4', ids: ['TRAFFIC', 'THREAT'],
    names: ['end', 'url', 'spyware'],
    ext(r, i) {
      const src = ip(r, '10.20'), dst = ip(r, '203.0');
      return [
        ['rt', `May 14 2024 12:34:${pad(i % 60, 2)}`], ['src', src], ['dst', dst],
        ['spt', String(1024 + (r() % 64000))], ['dpt', String([443, 80, 53, 3389, 25][i % 5])], ['proto', 'TCP'],
        ['suser', USERS[i % USERS.length]], ['act', ACTS[i % ACTS.length]], ['app', APPS[i % APPS.length]],
        ['cs1Label', 'Rule'], ['cs1', 'allow web egress'], ['cs3Label', 'Virtual System'], ['cs3', 'vsys1'],
        ['request', `https://www.example.com/search?q\\=${r() % 10000}&lang\\=en`],
        ['msg', `session ended: reason\\=tcp-fin bytes\\=${r() % 900000}`],
      ];
    },
  },
  {
    vendor: 'Fortinet', product: 'FortiGate', version: 'v7.2.5', ids: ['0000000013', '0419016384'],
    names: ['forward traffic accept', 'ips signature'],
    ext(r, i) {
      return [
        ['src', ip(r, '192.168')], ['dst', ip(r, '198.51')], ['spt', String(1024 + (r() % 64000))], ['dpt', '443'],
        ['deviceInboundInterface', 'port1'], ['deviceOutboundInterface', 'wan1'], ['act', ACTS[i % 3]],
        ['cs2Label', 'policyname'], ['cs2', 'LAN to WAN (default)'], ['cn1Label', 'policyid'], ['cn1', String(i % 90)],
        ['msg', `URL\\=http://files.example.net/a b/c.zip category\\=Downloads`],
      ];
    },
  },
  {
    vendor: 'Check Point', product: 'VPN-1 & FireWall-1', version: 'R81.10', ids: ['Drop', 'Accept', 'Log'],
    names: ['Drop', 'Accept', 'https'],
    ext(r, i) {
      return [
        ['act', ['Drop', 'Accept', 'Log'][i % 3]], ['src', ip(r, '172.16')], ['dst', ip(r, '203.0')],
        ['spt', String(1024 + (r() % 64000))], ['dpt', '443'], ['proto', '6'], ['deviceDirection', '0'],
        ['cs2Label', 'Rule Name'], ['cs2', 'Block bad sites'], ['cs3Label', 'Rule UID'],
        ['cs3', `{${pad(r() % 99999999, 8)}-1A2B-4C3D-8E9F-00AA11BB22CC}`],
        ['suser', USERS[(i + 1) % USERS.length]], ['msg', `Blocked by policy: reason\\=url filtering, category\\=Gambling`],
      ];
    },
  },
  {
    vendor: 'Trend Micro', product: 'Deep Security Agent', version: '20.0.0', ids: ['4000000', '1000608'],
    names: ['Eicar_test_file', 'Generic SQL Injection Prevention'],
    ext(r, i) {
      return [
        ['cn1', String(r() % 100)], ['cn1Label', 'Host ID'], ['dvchost', `web-${i % 40}.example.org`],
        ['TrendMicroDsTenant', 'Primary'], ['TrendMicroDsTenantId', '0'], ['filePath', 'C:\\\\Users\\\\alice\\\\Downloads\\\\eicar.com'],
        ['act', 'Quarantine'], ['msg', 'Realtime scan: file\\=eicar.com result\\=quarantined'],
        ['src', ip(r, '10.1')], ['duser', USERS[i % USERS.length]],
      ];
    },
  },
];

// Generic pairs appended after a template's own (used when a line is still short of its target length).
function commonPairs(r, i) {
  return [
    ['cat', '/Firewall/Traffic/Session End'], ['dvc', ip(r, '10.255')], ['deviceExternalId', `FW-SN-${pad(r() % 1e9, 10)}`],
    ['cs6Label', 'Session Info'], ['cs6', `flags\\=SYN ACK window size ${r() % 65535}`],
    ['deviceProcessName', 'fw daemon'], ['cs5Label', 'Zone'], ['cs5', i % 2 ? 'untrust zone' : 'trust zone'],
  ];
}

const SEVS = ['3', '5', '7', '8', '10', 'Low', 'Medium', 'High'];

function makeCefPool(count = 1000, seed = 7) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const t = TEMPLATES[i % TEMPLATES.length];
    const pairs = t.ext(r, i).concat(commonPairs(r, i));
    const pri = 8 * [16, 20, 4][i % 3] + [3, 4, 5, 6][i % 4];
    const hdr = `<${pri}>${MONTHS[4]} 14 12:${pad(i % 60, 2)}:${pad((i * 7) % 60, 2)} ${HOSTS[i % HOSTS.length]}`;
    const head = `${hdr} CEF:0|${t.vendor}|${t.product}|${t.version}|${t.ids[i % t.ids.length]}|${t.names[i % t.names.length]}|${SEVS[i % SEVS.length]}|`;
    // 8-15 pairs, stopping at a deterministic target length of 300-390 bytes (never past 400)
    const target = 300 + (r() % 91);
    let ext = '';
    let n = 0;
    for (const [k, v] of pairs) {
      const next = `${ext}${n ? ' ' : ''}${k}=${v}`;
      if (n >= 8 && (Buffer.byteLength(head + ext) >= target || Buffer.byteLength(head + next) > 400)) break;
      ext = next;
      n++;
      if (n === 15) break;
    }
    out.push(head + ext);
  }
  return out;
}

function poolStats(pool) {
  const lens = pool.map((s) => Buffer.byteLength(s));
  return {
    count: pool.length, min_bytes: Math.min(...lens), max_bytes: Math.max(...lens),
    avg_bytes: Math.round(lens.reduce((a, b) => a + b, 0) / lens.length),
  };
}

module.exports = { loadPeerPool, makeCefPool, poolStats, PEER_MSGS };

if (require.main === module) {
  const pool = makeCefPool(1000);
  console.log(pool.slice(0, 4).join('\n'));
  console.error(JSON.stringify(poolStats(pool)));
}
