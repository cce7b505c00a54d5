/**
 * The Syslog and CommonSecurityLog columns with their types, read from protocols.md §6.3 and §6.4
 * (../shared/docs/protocols.md, the team's record of Microsoft's table reference): an independent
 * list to hold the rows and the DCR templates to, since those are generated from the same code.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type ColumnTypes = Map<string, string>;

const PROTOCOLS = resolve(__dirname, '../../../shared/docs/protocols.md');
const TYPES = new Set(['string', 'int', 'long', 'real', 'datetime', 'bool', 'boolean', 'dynamic']);

function section(text: string, heading: string): string {
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`protocols.md: no section "${heading}"`);
  const ends = ['\n### ', '\n## '].map((h) => text.indexOf(h, at + heading.length)).filter((i) => i > 0);
  return text.slice(at, ends.length > 0 ? Math.min(...ends) : undefined);
}

/** §6.3: a two-pairs-per-row table `| Column | Type | Column | Type |`. */
export function syslogColumns(text = readFileSync(PROTOCOLS, 'utf8')): ColumnTypes {
  const out: ColumnTypes = new Map();
  for (const line of section(text, '### 6.3').split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 4 || cells[0] === 'Column' || cells[0].startsWith('---')) continue;
    for (const [name, type] of [[cells[0], cells[1]], [cells[2], cells[3]]]) {
      for (const n of name.split(' / ')) out.set(n.trim(), type.split(' ')[0]);
    }
  }
  // "Current schema also lists `CollectorHostName` (string)"
  for (const m of section(text, '### 6.3').matchAll(/`(\w+)` \((\w+)\)/g)) out.set(m[1], m[2]);
  return out;
}

/** Splits at the commas outside parentheses. */
function items(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) { out.push(s.slice(from, i).trim()); from = i + 1; }
  }
  out.push(s.slice(from).trim());
  return out.filter(Boolean);
}

/** `Name1..3` → Name1, Name2, Name3; `Name` → Name. */
function expand(name: string): string[] {
  const m = /^(\w*?)(\d+)\.\.(\d+)$/.exec(name);
  if (m === null) return [name];
  const out: string[] = [];
  for (let i = Number(m[2]); i <= Number(m[3]); i++) out.push(`${m[1]}${i}`);
  return out;
}

/** §6.4: groups of `Name (type, notes)` items, `(+Label)` adding string label columns. */
export function commonSecurityLogColumns(text = readFileSync(PROTOCOLS, 'utf8')): ColumnTypes {
  const out: ColumnTypes = new Map();
  const files: Array<[string, string]> = [];
  for (const line of section(text, '### 6.4').split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 2 || cells[0] === 'Group' || cells[0].startsWith('---')) continue;
    for (const item of items(cells[1])) {
      for (const alt of item.split(' / ')) {
        const m = /^([\w*.]+)(?:\s*\((.*)\))?$/.exec(alt.trim());
        if (m === null) continue;
        const notes = m[2] ?? '';
        const first = notes.split(/[,;]/)[0].trim();
        const type = TYPES.has(first) ? first : 'string';
        if (m[1] === 'OldFile*') continue; // "same set" as the File group: below
        for (const name of expand(m[1])) {
          out.set(name, type);
          if (/\+Labels?/.test(notes)) out.set(`${name}Label`, 'string');
          if (cells[0] === 'File') files.push([name, type]);
        }
        // "FlexString1..2, FlexNumber1..2 (int), FlexDate1 (+Labels)": every Flex column has a label
        if (/\+Labels/.test(notes)) for (const name of [...out.keys()]) if (name.startsWith('Flex') && !name.endsWith('Label')) out.set(`${name}Label`, 'string');
        // "marked for deprecation in favour of FieldDeviceCustomNumber1..3, long"
        const favour = /in favour of (\S+?), (\w+)/.exec(notes);
        if (favour !== null) for (const name of expand(favour[1])) out.set(name, favour[2]);
      }
    }
  }
  for (const [name, type] of files) out.set(`Old${name}`, type);
  return out;
}
