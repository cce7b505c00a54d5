/**
 * The dashboard at the admin server's `/`, rendered by a real headless Chromium (Debian's
 * package, installed by .ci/deps.sh): the figures it shows equal /api/status, and a screenshot is
 * kept as a test artifact (test/artifacts/dashboard.png, not committed).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axios from 'axios';
import { freePort, killAllGateways, startGateway } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc, waitUntil } from '../helpers/procs';
import { sendTcpLines } from '../helpers/clients';
import { startHttpSink } from '../helpers/http-sink';

jest.setTimeout(90000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ARTIFACTS = resolve(__dirname, '../artifacts');

async function chromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const profile = makeTempDir('sg-chromium-');
  return runProc(CHROMIUM!, ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    `--user-data-dir=${profile}`, '--virtual-time-budget=6000', ...args], { timeoutMs: 60000 });
}

/** The text of the element carrying data-k="key" in the dumped DOM. */
function shown(dom: string, key: string): string | undefined {
  const m = new RegExp(`data-k="${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([^<]*)<`).exec(dom);
  return m?.[1];
}

test('the dashboard shows what /api/status says: inputs, destinations, the journal and the ledger', async () => {
  if (CHROMIUM === undefined) throw new Error('chromium is not installed: run bash .ci/deps.sh (Debian package chromium)');
  const sink = await startHttpSink();
  const tcp = await freePort();
  const admin = await freePort();
  const gw = await startGateway(`
data_dir: "@DIR@/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: siem, type: http, url: "${sink.url}", batch: { max_events: 10, max_wait_ms: 20 } }
admin: { address: "127.0.0.1:${admin}" }
reports:
  - { name: pulse, kind: health, cron: "*/2 * * * * *", formats: [html, json], to: [{ type: file, dir: "@DIR@/reports" }] }
alerts:
  - { name: disk, type: journal_usage, above: 0, to: [{ type: webhook, url: "${sink.url}" }] }
  - { name: refused, type: dead_letters, above: 1000, window: 5m, to: [{ type: webhook, url: "${sink.url}" }] }
`);
  try {
    await sendTcpLines(tcp, Array.from({ length: 42 }, (_, i) => `<134>1 2026-11-23T10:00:00Z fw01 app - - - dash ${i}`));
    await waitUntil(() => (sink.lines.length >= 42 ? true : undefined), 20000, () => `delivered ${sink.lines.length}`);
    const status = await waitUntil(async () => {
      const s = (await axios.get(`http://127.0.0.1:${admin}/api/status`)).data;
      return s.ledger.destinations.siem.delivered === 42 && s.alerts.length > 0 && s.reports[0].latest_files.length === 2 ? s : undefined;
    }, 10000, () => 'not all delivered, or no alert or report yet');
    // every configured rule is listed, the one that never fired too
    expect(status.alert_rules).toEqual([
      { name: 'disk', type: 'journal_usage', state: 'firing', episodes_24h: 1 },
      { name: 'refused', type: 'dead_letters', state: 'ok', episodes_24h: 0 },
    ]);
    const url = `http://127.0.0.1:${admin}/`;
    const dump = await chromium(['--dump-dom', url]);
    expect(dump.code).toBe(0);
    const dom = dump.stdout;
    expect(shown(dom, 'status')).toBe(status.status);
    expect(shown(dom, 'received-fw')).toBe(String(status.received_by_input.fw));
    expect(shown(dom, 'state-siem')).toBe(status.destinations[0].state);
    expect(shown(dom, 'delivered-siem')).toBe(String(status.ledger.destinations.siem.delivered));
    expect(shown(dom, 'pending-siem')).toBe(String(status.destinations[0].pending));
    expect(shown(dom, 'ledger-received')).toBe(String(status.ledger.received));
    expect(shown(dom, 'ledger-journaled')).toBe(String(status.ledger.journaled));
    expect(shown(dom, 'ledger-unaccounted')).toBe('0');
    expect(shown(dom, 'ledger-verdict')).toBe('balanced: nothing lost');
    expect(shown(dom, 'journal-segments')).toBe(`${status.journal.segments} segment(s)`);
    expect(dom).toContain('<svg class="spark"');
    expect(shown(dom, 'source-fw-127.0.0.1')).toBe(String(status.last_24h.top_sources[0].events));
    // the journal holds events, so "above 0 %" fires; the report ran: its newest files are linked
    expect(shown(dom, 'alert-disk-')).toBe('firing');
    expect(shown(dom, 'alerts-firing')).toBe('1 firing, 1 in the last 24 hours');
    expect((await axios.get(`http://127.0.0.1:${admin}/metrics`)).data).toMatch(/^siemgate_alert_firing\{rule="disk",type="journal_usage"\} 1$/m);
    const links = [...dom.matchAll(/<a data-k="report-link" href="([^"]+)">(\w+)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links.map(([, f]) => f).sort()).toEqual(['html', 'json']);
    const html = await axios.get(`http://127.0.0.1:${admin}${links.find(([, f]) => f === 'html')![0]}`);
    expect([html.status, html.headers['content-type'], html.headers['content-security-policy']]).toEqual([200, 'text/html; charset=utf-8', "default-src 'none'; style-src 'unsafe-inline'; img-src data:"]);
    expect(html.data).toContain('siemgate health report');
    expect((await axios.get(`http://127.0.0.1:${admin}/reports/..%2Fsiemgate.yaml`, { validateStatus: () => true })).status).toBe(404);

    mkdirSync(ARTIFACTS, { recursive: true });
    const png = join(ARTIFACTS, 'dashboard.png');
    const shot = await chromium(['--window-size=1200,900', `--screenshot=${png}`, url]);
    expect(shot.code).toBe(0);
    expect(statSync(png).size).toBeGreaterThan(10_000);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  } finally {
    await gw.stop();
    await sink.close();
  }
});
