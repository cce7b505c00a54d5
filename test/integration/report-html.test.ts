/**
 * The HTML report rendered by a real headless Chromium (Debian's package, installed by
 * .ci/deps.sh): its DOM has the chart's SVG, one line per series, and hostile names stay text;
 * its screenshot shows the lines in their colours. The screenshot is kept as a test artifact
 * (test/artifacts/report.png, not committed).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';
import type { ReportDoc } from '../../src/observe/report-doc';
import { toHtml } from '../../src/observe/report-html';
import { cleanUp, makeTempDir, runProc } from '../helpers/procs';

jest.setTimeout(90000);
afterAll(cleanUp);

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ARTIFACTS = resolve(__dirname, '../artifacts');
const HOSTILE = '<script>alert(1)</script>';

async function chromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const profile = makeTempDir('sg-chromium-');
  return runProc(CHROMIUM!, ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--hide-scrollbars', '--force-device-scale-factor=1', `--user-data-dir=${profile}`, ...args], { timeoutMs: 60000 });
}

/** A day of hourly figures for three inputs, shaped like real traffic (a working-hours hump). */
function realisticDoc(): ReportDoc {
  const labels = Array.from({ length: 24 }, (_, i) => new Date(Date.UTC(2026, 10, 22, 12 + i)).toISOString());
  const hump = (i: number) => Math.max(0, Math.sin(((i + 12 - 6) / 24) * 2 * Math.PI));
  return {
    title: 'siemgate health report',
    subtitle: '2026-11-22 12:00 – 2026-11-23 12:00 UTC · gateway gw01',
    headline: { text: 'events lost: 0 of 1,043,210 received', ok: true },
    sections: [
      {
        heading: 'Events',
        blocks: [
          { kind: 'text', text: 'Every event received was journaled and delivered.', tone: 'ok' },
          {
            kind: 'chart', title: 'Events received per input', unit: 'events/hour', labels,
            series: [
              { name: 'firewall', values: labels.map((_, i) => Math.round(30000 + 25000 * hump(i) + (i % 5) * 900)) },
              { name: 'web-proxy', values: labels.map((_, i) => Math.round(8000 + 14000 * hump(i + 2))) },
              { name: HOSTILE, values: labels.map((_, i) => (i === 15 ? 0 : 2500 + (i % 4) * 600)) },
            ],
          },
        ],
      },
      {
        heading: 'Senders',
        blocks: [
          { kind: 'text', text: `Sender ${HOSTILE} was silent for one hour.`, tone: 'warn' },
          { kind: 'table', head: ['input', 'sender', 'events'], rows: [['firewall', '10.0.0.1', 812345], ['web-proxy', '10.0.0.7', 195000], ['dmz', HOSTILE, 35865]] },
          { kind: 'table', head: ['destination', 'dead letters'], rows: [], empty: 'no dead letters' },
        ],
      },
    ],
  };
}

interface Image { width: number; height: number; channels: number; pixels: Buffer }

/** A PNG's pixels: its IDAT chunks inflated, each row un-filtered (types 0–4); 8-bit RGB or RGBA, not interlaced. */
function decodePng(file: Buffer): Image {
  if (file.subarray(0, 8).toString('binary') !== '\x89PNG\r\n\x1a\n') throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < file.length;) {
    const len = file.readUInt32BE(at);
    const type = file.toString('ascii', at + 4, at + 8);
    const data = file.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[row + x - channels] : 0; // left
      const b = y > 0 ? pixels[row - stride + x] : 0; // up
      const c = x >= channels && y > 0 ? pixels[row - stride + x - channels] : 0; // up-left
      let v: number;
      switch (filter) {
        case 0: v = src[x]; break;
        case 1: v = src[x] + a; break;
        case 2: v = src[x] + b; break;
        case 3: v = src[x] + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = src[x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`PNG row ${y}: unknown filter type ${filter}`);
      }
      pixels[row + x] = v & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** How many pixels are within `tolerance` of the colour on every channel. */
function countNear(img: Image, colour: string, tolerance = 24): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < img.pixels.length; i += img.channels) {
    if (Math.abs(img.pixels[i] - r) <= tolerance && Math.abs(img.pixels[i + 1] - g) <= tolerance && Math.abs(img.pixels[i + 2] - b) <= tolerance) n++;
  }
  return n;
}

test('the decoder reads a known PNG: every filter type, RGB and RGBA', () => {
  // Rows filtered with types 0..4 in turn over a gradient, built and deflated here.
  const width = 5;
  for (const channels of [3, 4]) {
    const want = Buffer.alloc(width * 5 * channels);
    for (let i = 0; i < want.length; i++) want[i] = (i * 37 + (i >> 3) * 11) & 0xff;
    const stride = width * channels;
    const raw: number[] = [];
    for (let y = 0; y < 5; y++) {
      raw.push(y);
      for (let x = 0; x < stride; x++) {
        const at = y * stride + x;
        const a = x >= channels ? want[at - channels] : 0;
        const b = y > 0 ? want[at - stride] : 0;
        const c = x >= channels && y > 0 ? want[at - stride - channels] : 0;
        const p = a + b - c;
        const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
        const pred = [0, a, b, (a + b) >> 1, paeth][y];
        raw.push((want[at] - pred) & 0xff);
      }
    }
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      return Buffer.concat([len, Buffer.from(type, 'ascii'), data, Buffer.alloc(4)]); // the CRC is not checked
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(5, 4);
    ihdr[8] = 8;
    ihdr[9] = channels === 4 ? 6 : 2;
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'binary'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from(raw))), chunk('IEND', Buffer.alloc(0))]);
    const img = decodePng(png);
    expect([img.width, img.height, img.channels]).toEqual([width, 5, channels]);
    expect(img.pixels.equals(want)).toBe(true);
  }
});

test('a report renders in headless Chromium: SVG lines in the DOM, coloured lines on the screenshot', async () => {
  if (CHROMIUM === undefined) throw new Error('chromium is not installed: run bash .ci/deps.sh (Debian package chromium)');
  const doc = realisticDoc();
  const html = toHtml(doc);
  const dir = makeTempDir('sg-report-html-');
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const strokes = [...html.matchAll(/<polyline [^>]*stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
  expect(new Set(strokes).size).toBe(3);

  // (a) The DOM Chromium built: the chart, one line per series, and the hostile name as text.
  const dump = await chromium(['--dump-dom', url]);
  expect(dump.code).toBe(0);
  const dom = dump.stdout;
  const svg = /<svg[\s\S]*?<\/svg>/.exec(dom)?.[0];
  if (svg === undefined) throw new Error(`no <svg> in the DOM Chromium built; stderr:\n${dump.stderr.slice(-2000)}`);
  expect(svg.match(/<polyline /g)).toHaveLength(3);
  expect([...svg.matchAll(/<polyline [^>]*stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]).sort()).toEqual([...strokes].sort());
  expect(svg.match(/<text /g)!.length).toBeGreaterThan(8); // axis labels
  expect(dom).not.toMatch(/<script/i);
  expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(dom).toContain('no dead letters');
  expect(dom).toContain('812,345');

  // (b) The screenshot: not blank, and the lines drawn in their colours.
  mkdirSync(ARTIFACTS, { recursive: true });
  const png = join(ARTIFACTS, 'report.png');
  const shot = await chromium(['--window-size=800,1400', `--screenshot=${png}`, url]);
  expect(shot.code).toBe(0);
  if (!existsSync(png) || statSync(png).size < 5000) throw new Error(`no screenshot at ${png}; stderr:\n${shot.stderr.slice(-2000)}`);
  const img = decodePng(readFileSync(png));
  expect([img.width, img.height]).toEqual([800, 1400]);
  let ink = 0;
  for (let i = 0; i < img.pixels.length; i += img.channels) {
    if (Math.min(img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]) < 235) ink++;
  }
  const total = img.width * img.height;
  expect(ink).toBeGreaterThan(total * 0.01);
  expect(ink).toBeLessThan(total * 0.5);
  // A legend swatch is 16×4 = 64 pixels: hundreds of pixels of a colour are its line.
  const seen = strokes.map((c) => ({ colour: c, pixels: countNear(img, c) }));
  for (const s of seen) {
    if (s.pixels < 300) throw new Error(`the line in ${s.colour} is not on the screenshot (${s.pixels} pixels near that colour; all: ${JSON.stringify(seen)}); see ${png}`);
  }
});
