import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Node } from 'yaml';
import { E } from '../errors';
import { compileSource, type CompiledSource } from './compile';
import type { SourceSummary } from './types';
import { pathText } from '../config/path-text';

// Loaded when a file is first read: the parse workers compile what the main thread read and never
// parse YAML (the package is ~8 MB of RSS in each of them).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = (): typeof import('yaml') => require('yaml') as typeof import('yaml');

/**
 * The shipped mappings: `mappings/` at the package root, whether this runs from dist/src/mapping
 * (built) or src/mapping (ts-jest).
 */
export function shippedMappingsDir(): string {
  const up = __filename.endsWith('.ts') ? '../..' : '../../..';
  return resolve(__dirname, up, 'mappings');
}

export interface LoadedSources {
  sources: CompiledSource[];
  summaries: SourceSummary[];
  /** The files in use as plain data (what YAML gave): a worker compiles these without reading
   *  or parsing YAML again (a third of a second and ~60 MB of heap per thread for 140 files). */
  prepared: PreparedSource[];
}

export interface PreparedSource {
  file: string;
  raw: unknown;
}

/** Compiles files the main thread already read and checked (no YAML, no examples, no lines). */
export function compilePrepared(prepared: PreparedSource[]): CompiledSource[] {
  const out: CompiledSource[] = [];
  for (const p of prepared) {
    const problems: string[] = [];
    const src = compileSource(p.raw, p.file, (path, why) => problems.push(`${p.file}: ${pathText(path)}: ${why}`), () => 0, false);
    if (src === undefined || problems.length > 0) throw E.MAPPING_INVALID(problems);
    out.push(src);
  }
  return out;
}

/**
 * Reads and compiles `sources/*.yaml` of each directory; a later directory's product replaces an
 * earlier one's with the same id (the user's directories come after the shipped one). Every
 * problem of every file is collected and thrown together as SG_MAPPING_INVALID, each with file,
 * line and key, so one start shows them all.
 */
export function loadSources(dirs: string[]): LoadedSources {
  const problems: string[] = [];
  const byProduct = new Map<string, { source: CompiledSource; raw: unknown; replaces?: string }>();
  for (const dir of dirs) {
    const sub = join(dir, 'sources');
    if (!existsSync(sub) || !statSync(sub).isDirectory()) {
      problems.push(`${sub}: no such directory; a mapping directory holds sources/<product>.yaml`);
      continue;
    }
    const seen = new Map<string, string>();
    for (const name of readdirSync(sub).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const file = join(sub, name);
      const loaded = compileFile(file, problems);
      if (loaded === undefined) continue;
      const { src, raw } = loaded;
      const dup = seen.get(src.product);
      if (dup !== undefined) {
        problems.push(`${file}:1: product ${src.product} is also defined in ${dup}; one file per product in a directory`);
        continue;
      }
      seen.set(src.product, file);
      const prev = byProduct.get(src.product);
      byProduct.set(src.product, { source: src, raw, replaces: prev?.source.file });
    }
  }
  if (problems.length > 0) throw E.MAPPING_INVALID(problems);
  const sources = [...byProduct.values()].map((v) => v.source);
  const summaries = [...byProduct.values()].map(({ source: s, replaces }) => ({
    product: s.product, vendor: s.vendor, name: s.name, file: s.file, ...(replaces !== undefined ? { replaces } : {}),
  }));
  const prepared = [...byProduct.values()].map((v) => ({ file: v.source.file, raw: v.raw }));
  return { sources, summaries, prepared };
}

function compileFile(file: string, problems: string[]): { src: CompiledSource; raw: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${file}: cannot read: ${(err as Error).message}`);
    return undefined;
  }
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // with prettyErrors off, linePos is not filled in: the line comes from the error's offset
    problems.push(`${file}:${e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}`);
    return undefined;
  }
  const lineOf = (path: Array<string | number>): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | null | undefined;
      const at = node?.range?.[0];
      if (at !== undefined) return lines.linePos(at).line;
    }
    return 1;
  };
  const before = problems.length;
  const raw: unknown = doc.toJS();
  const src = compileSource(raw, file, (path, why) => {
    problems.push(`${file}:${lineOf(path)}: ${path.length > 0 ? `${pathText(path)}: ` : ''}${why}`);
  }, lineOf);
  return problems.length > before || src === undefined ? undefined : { src, raw };
}
