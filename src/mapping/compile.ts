import { beginSlots, isParserName, type Slots } from './scope';
import { slotKinds, type SlotKinds } from './apply';
import {
  convertStep, csvStep, dissectStep, jsonStep, kvStep, lookupStep, regexStep, setStep, timestampStep,
  type Problem, type Step,
} from './steps';
import { compileWhen, type Cond } from './when';
import type { MappingExample } from './types';

/** How a product is recognised (the classifier indexes these). */
export type MatchSpec =
  | { kind: 'program' | 'msgid' | 'hostname' | 'sdid'; glob: string; refine?: Refine }
  | { kind: 'cef' | 'leef'; vendor?: string; product?: string; refine?: Refine }
  | { kind: 'message' | 'raw'; re: RegExp };

/** A pattern that must also hold where a keyed match (program, CEF vendor, ...) found a candidate. */
export interface Refine {
  kind: 'message' | 'raw';
  re: RegExp;
}

/** A step and what --explain calls it (`steps[2] (regex on _body)`). */
export interface CompiledStep {
  run: Step;
  optional: boolean;
  label: string;
}

export interface CompiledRule {
  name: string;
  when: Cond[];
  steps: CompiledStep[];
  /** More than one step that can fail: the fields of a rule that failed half-way are rolled back. */
  rollback: boolean;
  sourcetype?: string;
  index?: string;
  dataset?: string;
}

export interface CompiledSource {
  product: string;
  vendor: string;
  name: string;
  file: string;
  dataset: string;
  /** The Elasticsearch data stream's dataset (default siemgate.<product>). */
  streamDataset: string;
  /** Keep the parser's generic `kv` / `json` object beside the mapped fields (default: dropped). */
  keepParsedFields: boolean;
  sourcetype?: string;
  index?: string;
  priority: number;
  match: MatchSpec[];
  /** The file's `set` (defaults), then its `steps`: run on every message of the product. */
  pre: CompiledStep[];
  rules: CompiledRule[];
  examples: MappingExample[];
  /** The fields its steps read and write, numbered. */
  slots: Slots;
  kinds: SlotKinds;
}

/** Reports a problem at a path in the file (the loader turns the path into a line). */
export type FileProblem = (path: Array<string | number>, why: string) => void;

const FILE_KEYS = ['product', 'vendor', 'name', 'dataset', 'data_stream_dataset', 'keep_parsed_fields', 'sourcetype', 'index', 'priority', 'description', 'match', 'set', 'steps', 'rules', 'examples', 'references'];
const RULE_KEYS = ['name', 'when', 'steps', 'set', 'convert', 'sourcetype', 'index', 'dataset', 'description'];
const STEP_KINDS = ['regex', 'dissect', 'kv', 'csv', 'json', 'set', 'convert', 'lookup', 'timestamp'];
const STEP_OPTIONS = ['from', 'optional', 'when', 'description'];
const PATTERN_STEPS = new Set(['regex', 'dissect', 'kv', 'csv', 'json']);
const ID = /^[a-z0-9][a-z0-9_.-]*$/;
const RESERVED_WHY: Record<string, string> = {
  'event.id': 'the Elasticsearch _id that makes a replay after a crash idempotent',
  'event.original': 'the line as received',
  'event.created': 'when the gateway received the message',
};
const RESERVED = Object.keys(RESERVED_WHY);

export function compileSource(raw: unknown, file: string, problem: FileProblem, lineOf: (path: Array<string | number>) => number, withExamples = true): CompiledSource | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problem([], 'a source mapping is a YAML mapping with product, vendor, name, match, and steps or rules');
    return undefined;
  }
  const f = raw as Record<string, unknown>;
  const slots = beginSlots();
  for (const k of Object.keys(f)) if (!FILE_KEYS.includes(k)) problem([k], `unknown key; a source mapping has ${FILE_KEYS.join(', ')}`);
  const product = str(f, 'product', [], problem, true);
  if (product !== undefined && !ID.test(product)) problem(['product'], 'lowercase letters, digits, `_`, `-` and `.` only (it names the product in events and in --explain)');
  const vendor = str(f, 'vendor', [], problem, true) ?? '';
  const name = str(f, 'name', [], problem, true) ?? '';
  const dataset = str(f, 'dataset', [], problem, false) ?? (product !== undefined ? `${product}.log` : '');
  const priority = f.priority === undefined ? 100 : typeof f.priority === 'number' ? f.priority : (problem(['priority'], 'a number (lower is tried first)'), 100);

  const match = compileMatch(f.match, problem);
  const pre: CompiledSource['pre'] = [];
  if (f.set !== undefined) {
    if (isMap(f.set)) pre.push({ run: setStep(f.set, 'set (defaults)'), optional: false, label: 'set (defaults)' });
    else problem(['set'], 'a mapping of field: value');
  }
  pre.push(...compileSteps(f.steps, ['steps'], problem));
  const rules: CompiledRule[] = [];
  if (f.rules !== undefined) {
    if (!Array.isArray(f.rules)) problem(['rules'], 'a list of rules (name, when, steps, set, convert, sourcetype)');
    else f.rules.forEach((r, i) => { const c = compileRule(r, ['rules', i], problem); if (c) rules.push(c); });
  }
  if (pre.length === 0 && rules.length === 0 && f.set === undefined) problem([], 'neither steps, rules nor set: the mapping would only name the product (add at least set: {event.kind: event})');
  const examples = withExamples ? compileExamples(f.examples, file, product ?? '', problem, lineOf) : [];
  for (const name of RESERVED) {
    if (slots.index.has(name)) problem([], `${name} is the gateway's own (${RESERVED_WHY[name]}); put the device's value in a field of its own, e.g. <vendor>.${name.split('.')[1]} or event.reference`);
  }
  if (product === undefined) return undefined;
  return {
    product, vendor, name, file, dataset, priority, match, pre, rules, examples, slots, kinds: slotKinds(slots),
    streamDataset: str(f, 'data_stream_dataset', [], problem, false) ?? `siemgate.${product}`,
    keepParsedFields: f.keep_parsed_fields === true,
    sourcetype: str(f, 'sourcetype', [], problem, false), index: str(f, 'index', [], problem, false),
  };
}

const MATCH_HELP = 'each entry is one of {program: GLOB}, {msgid: GLOB}, {hostname: GLOB}, {sdid: GLOB}, {cef: {vendor, product}}, {leef: {vendor, product}}, {message: REGEX}, {raw: REGEX}, or one of the keyed ones with a message or raw pattern that must also hold ({program: kernel, message: \'^IN=\'})';

function compileMatch(m: unknown, problem: FileProblem): MatchSpec[] {
  const out: MatchSpec[] = [];
  if (m === undefined) return out; // recognised only by a config assignment
  const list = Array.isArray(m) ? m : [m];
  list.forEach((item, i) => {
    const at = Array.isArray(m) ? ['match', i] : ['match'];
    if (!isMap(item) || Object.keys(item).length === 0 || Object.keys(item).length > 2) { problem(at, MATCH_HELP); return; }
    const keyedKeys = Object.keys(item).filter((k) => k !== 'message' && k !== 'raw');
    const patternKeys = Object.keys(item).filter((k) => k === 'message' || k === 'raw');
    if (keyedKeys.length > 1 || patternKeys.length > 1) { problem(at, MATCH_HELP); return; }
    const regex = (kind: string, v: unknown): RegExp | undefined => {
      try {
        return new RegExp(String(v));
      } catch (err) {
        problem([...at, kind], `not a valid regular expression: ${(err as Error).message}`);
        return undefined;
      }
    };
    let refine: Refine | undefined;
    if (patternKeys.length === 1) {
      const pk = patternKeys[0] as 'message' | 'raw';
      const re = regex(pk, item[pk]);
      if (re === undefined) return;
      if (keyedKeys.length === 0) { out.push({ kind: pk, re }); return; }
      refine = { kind: pk, re };
    }
    const kind = keyedKeys[0];
    const v = item[kind];
    switch (kind) {
      case 'program': case 'msgid': case 'hostname': case 'sdid':
        if (typeof v !== 'string' || v === '') problem([...at, kind], 'a glob (text with * for any characters)');
        else out.push({ kind, glob: v, refine });
        break;
      case 'cef': case 'leef': {
        if (!isMap(v)) { problem([...at, kind], 'a mapping with vendor and/or product ({} for any)'); break; }
        const o = v as Record<string, unknown>;
        for (const k of Object.keys(o)) if (k !== 'vendor' && k !== 'product') problem([...at, kind, k], 'only vendor and product');
        out.push({ kind, vendor: typeof o.vendor === 'string' ? o.vendor : undefined, product: typeof o.product === 'string' ? o.product : undefined, refine });
        break;
      }
      default:
        problem([...at, kind], 'unknown way to recognise a product; one of program, msgid, hostname, sdid, cef, leef, message, raw');
    }
  });
  return out;
}

function compileRule(r: unknown, at: Array<string | number>, problem: FileProblem): CompiledRule | undefined {
  if (!isMap(r)) {
    problem(at, 'a rule is a mapping (name, when, steps, set, convert, sourcetype)');
    return undefined;
  }
  for (const k of Object.keys(r)) if (!RULE_KEYS.includes(k)) problem([...at, k], `unknown key; a rule has ${RULE_KEYS.join(', ')}`);
  const name = typeof r.name === 'string' ? r.name : (problem([...at, 'name'], 'every rule needs a name (it is what --explain shows)'), `#${String(at[at.length - 1])}`);
  const when = r.when === undefined ? [] : isMap(r.when)
    ? compileWhen(r.when, (k, why) => problem([...at, 'when', k], why))
    : (problem([...at, 'when'], 'a mapping of field: condition'), []);
  const steps = compileSteps(r.steps, [...at, 'steps'], problem);
  if (r.set !== undefined) {
    if (isMap(r.set)) steps.push({ run: setStep(r.set), optional: false, label: 'set' });
    else problem([...at, 'set'], 'a mapping of field: value');
  }
  if (r.convert !== undefined) {
    if (isMap(r.convert)) steps.push({ run: convertStep(r.convert as Record<string, string>, (k, why) => problem([...at, 'convert', k], why)), optional: false, label: 'convert' });
    else problem([...at, 'convert'], 'a mapping of field: converter');
  }
  const patternSteps = Array.isArray(r.steps) ? r.steps.filter((s) => isMap(s) && Object.keys(s).some((k) => PATTERN_STEPS.has(k))).length : 0;
  const opt = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : undefined);
  return { name, when, steps, rollback: patternSteps > 1, sourcetype: opt('sourcetype'), index: opt('index'), dataset: opt('dataset') };
}

function compileSteps(list: unknown, at: Array<string | number>, problem: FileProblem): CompiledStep[] {
  const out: CompiledStep[] = [];
  if (list === undefined) return out;
  if (!Array.isArray(list)) {
    problem(at, `a list of steps, each one of ${STEP_KINDS.join(', ')}`);
    return out;
  }
  list.forEach((item, i) => {
    const here = [...at, i];
    if (!isMap(item)) { problem(here, `a step is a mapping with one of ${STEP_KINDS.join(', ')}`); return; }
    const kinds = Object.keys(item).filter((k) => STEP_KINDS.includes(k));
    for (const k of Object.keys(item)) if (!STEP_KINDS.includes(k) && !STEP_OPTIONS.includes(k)) problem([...here, k], `unknown key; a step has one of ${STEP_KINDS.join(', ')} and optionally ${STEP_OPTIONS.join(', ')}`);
    if (kinds.length !== 1) { problem(here, `exactly one of ${STEP_KINDS.join(', ')} per step (found ${kinds.length === 0 ? 'none' : kinds.join(', ')})`); return; }
    const kind = kinds[0];
    const v = item[kind];
    const from = typeof item.from === 'string' ? item.from : 'message';
    const bad: Problem = (k, why) => problem(k === kind ? [...here, kind] : [...here, kind, k], why);
    const step = compileStep(kind, v, from, bad);
    if (step === undefined) return;
    const label = `steps[${i}] (${kind}${PATTERN_STEPS.has(kind) ? ` on ${from}` : ''})`;
    if (item.when === undefined) out.push({ run: step, optional: item.optional === true, label });
    else if (!isMap(item.when)) problem([...here, 'when'], 'a mapping of field: condition (as a rule\'s when)');
    else {
      // a step that does not apply to this message is skipped, not failed
      const conds = compileWhen(item.when, (k, why) => problem([...here, 'when', k], why));
      out.push({ run: guarded(conds, step), optional: item.optional === true, label });
    }
  });
  return out;
}

/**
 * A step that runs only where its `when` holds (else it is skipped, not failed). Made here, not
 * inline in compileSteps: a closure keeps the whole scope it was made in, and that scope reaches
 * the file's problem callback and its YAML document.
 */
function guarded(conds: Cond[], step: Step): Step {
  return (s) => {
    for (const c of conds) if (!c(s)) return true;
    return step(s);
  };
}

function compileStep(kind: string, v: unknown, from: string, bad: Problem): Step | undefined {
  switch (kind) {
    case 'regex':
      if (typeof v !== 'string') { bad(kind, 'a regular expression with named groups, (?<source.ip>…)'); return undefined; }
      return regexStep(v, from, bad);
    case 'dissect':
      if (typeof v !== 'string') { bad(kind, 'a dissect pattern, e.g. "%{source.ip}:%{source.port} %{_rest}"'); return undefined; }
      return dissectStep(v, from, bad);
    case 'set':
      if (!isMap(v)) { bad(kind, 'a mapping of field: value ({{field}} copies a field)'); return undefined; }
      return setStep(v);
    case 'convert':
      if (!isMap(v)) { bad(kind, 'a mapping of field: converter'); return undefined; }
      return convertStep(v as Record<string, string>, bad);
    default: break;
  }
  if (!isMap(v)) { bad(kind, `the ${kind} step's options as a mapping`); return undefined; }
  const o = v;
  const src = typeof o.from === 'string' ? o.from : from;
  switch (kind) {
    case 'kv': {
      const fields = isMap(o.fields) ? stringMap(o.fields, 'fields', bad) : {};
      return kvStep({ from: src, separator: typeof o.separator === 'string' && o.separator !== '' ? o.separator : ' ', delimiter: typeof o.delimiter === 'string' && o.delimiter !== '' ? o.delimiter : '=', fields });
    }
    case 'csv': {
      if (!Array.isArray(o.fields) || o.fields.length === 0) { bad('fields', 'the list of column names (null or "" to skip a column)'); return undefined; }
      const fields = o.fields.map((x) => (x === null || x === '' ? null : String(x)));
      const sep = typeof o.separator === 'string' && o.separator.length === 1 ? o.separator : ',';
      const minFields = typeof o.min_fields === 'number' ? o.min_fields : 1;
      return csvStep({ from: src, separator: sep, fields, minFields });
    }
    case 'json':
      return jsonStep({ from: src, fields: isMap(o.fields) ? stringMap(o.fields, 'fields', bad) : {} });
    case 'lookup': {
      if (typeof o.field !== 'string' || !isMap(o.table)) { bad(kind, 'field (the one to set), from, table, and optionally default and ignore_case'); return undefined; }
      return lookupStep(o.field, src, o.table, o.default, o.ignore_case === true);
    }
    case 'timestamp': {
      const formats = Array.isArray(o.formats) ? o.formats.map(String) : typeof o.format === 'string' ? [o.format] : [];
      if (formats.length === 0) { bad('formats', 'at least one format (ISO8601, UNIX, UNIX_MS, or a pattern like "MMM dd yyyy HH:mm:ss")'); return undefined; }
      return timestampStep(src, formats, typeof o.timezone === 'string' ? o.timezone : undefined, typeof o.field === 'string' ? o.field : '@timestamp', bad);
    }
    default:
      return undefined;
  }
}

function compileExamples(list: unknown, file: string, product: string, problem: FileProblem, lineOf: (path: Array<string | number>) => number): MappingExample[] {
  const out: MappingExample[] = [];
  if (!Array.isArray(list) || list.length === 0) {
    problem(['examples'], 'every mapping carries examples: a list of {raw: LINE, fields: {field: value}, sourcetype: ST} the test suite and `siemgate parse --check` run');
    return out;
  }
  list.forEach((e, i) => {
    if (!isMap(e) || typeof e.raw !== 'string' || !isMap(e.fields)) {
      problem(['examples', i], 'an example has raw (the line as received) and fields (what it must yield), and optionally sourcetype, rule and input');
      return;
    }
    out.push({
      file, line: lineOf(['examples', i]), product, raw: e.raw, fields: e.fields,
      sourcetype: typeof e.sourcetype === 'string' ? e.sourcetype : undefined,
      rule: typeof e.rule === 'string' ? e.rule : undefined,
      input: typeof e.input === 'string' ? e.input : undefined,
    });
  });
  return out;
}

function str(o: Record<string, unknown>, key: string, at: Array<string | number>, problem: FileProblem, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined) {
    if (required) problem([...at, key], 'required');
    return undefined;
  }
  if (typeof v !== 'string' || v === '') {
    problem([...at, key], 'a non-empty string');
    return undefined;
  }
  return v;
}

function stringMap(o: Record<string, unknown>, key: string, bad: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'string') bad(`${key}.${k}`, 'the name of the field to set');
    else if (isParserName(v)) bad(`${key}.${k}`, `${v} is a parser field (read-only); set an ECS field or a _temporary`);
    else out[k] = v;
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
