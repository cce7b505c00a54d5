/**
 * Dissect patterns, as Elastic's dissect processor reads them: literal text and `%{key}` fields
 * that take everything up to the next literal. `%{}` and `%{?name}` skip a value; `%{key->}` also
 * skips repeats of the following delimiter (padding); `%{+key}` appends to an earlier key with a
 * space. No regular expressions: a scan with indexOf per delimiter.
 */
export interface DissectField {
  name: string | undefined; // undefined: skipped
  append: boolean;
  padded: boolean;
}

export interface DissectPattern {
  /** Literal before the first field ('' when the pattern starts with one). */
  prefix: string;
  fields: DissectField[];
  /** delimiters[i] follows fields[i]; the last is '' when the last field takes the rest. */
  delimiters: string[];
}

export function compileDissect(pattern: string): DissectPattern {
  const re = /%\{([^}]*)\}/g;
  const fields: DissectField[] = [];
  const delimiters: string[] = [];
  let prefix: string | undefined;
  let last = 0;
  for (let m = re.exec(pattern); m !== null; m = re.exec(pattern)) {
    const lit = pattern.slice(last, m.index);
    if (prefix === undefined) prefix = lit;
    else {
      if (lit === '') throw new Error(`two fields with nothing between them before %{${m[1]}}: dissect cannot tell where one ends`);
      delimiters.push(lit);
    }
    let spec = m[1];
    const padded = spec.endsWith('->');
    if (padded) spec = spec.slice(0, -2);
    const append = spec.startsWith('+');
    if (append) spec = spec.slice(1);
    const skip = spec === '' || spec.startsWith('?');
    fields.push({ name: skip ? undefined : spec, append, padded });
    last = m.index + m[0].length;
  }
  if (fields.length === 0) throw new Error('no %{field} in the pattern');
  delimiters.push(pattern.slice(last));
  return { prefix: prefix ?? '', fields, delimiters };
}

/** Matches `text`; calls `out(name, value)` per field; false (nothing given) when it does not match. */
export function runDissect(p: DissectPattern, text: string, values: string[]): boolean {
  if (!text.startsWith(p.prefix)) return false;
  let pos = p.prefix.length;
  const n = p.fields.length;
  for (let i = 0; i < n; i++) {
    const delim = p.delimiters[i];
    let end: number;
    if (delim === '') end = text.length;
    else if (i === n - 1) {
      // the last delimiter must end the text
      if (!text.endsWith(delim) || text.length - delim.length < pos) return false;
      end = text.length - delim.length;
    } else {
      end = text.indexOf(delim, pos);
      if (end < 0) return false;
    }
    values[i] = text.slice(pos, end);
    pos = end + delim.length;
    if (p.fields[i].padded && delim !== '') while (text.startsWith(delim, pos)) pos += delim.length;
  }
  return true;
}
