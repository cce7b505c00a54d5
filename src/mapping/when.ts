import { asText, getter, type Getter, type Scope } from './scope';

/** A list field (event.category) holds when any of its items does. */
function anyText(get: Getter, test: (v: string) => boolean): (s: Scope) => boolean {
  return (s) => {
    const v = get(s);
    if (Array.isArray(v)) {
      for (const x of v) { const t = asText(x); if (t !== undefined && test(t)) return true; }
      return false;
    }
    const t = asText(v);
    return t !== undefined && test(t);
  };
}
import type { Problem } from './steps';

export type Cond = (s: Scope) => boolean;

/**
 * `when:` of a rule: every listed field must hold. A value: equal (as text); a list: any of them;
 * {regex: R}: matches; {prefix: P}: starts with; {exists: true|false}.
 */
export function compileWhen(when: Record<string, unknown>, bad: Problem): Cond[] {
  const out: Cond[] = [];
  for (const [field, spec] of Object.entries(when)) {
    const get = getter(field);
    if (Array.isArray(spec)) {
      const set = new Set(spec.map((v) => String(v)));
      out.push(anyText(get, (v) => set.has(v)));
    } else if (spec !== null && typeof spec === 'object') {
      const o = spec as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length !== 1) { bad(field, 'give one of regex, prefix, exists'); continue; }
      if (typeof o.regex === 'string') {
        let re: RegExp;
        try { re = new RegExp(o.regex); } catch (err) { bad(`${field}.regex`, `not a valid regular expression: ${(err as Error).message}`); continue; }
        out.push(anyText(get, (v) => re.test(v)));
      } else if (typeof o.prefix === 'string') {
        const p = o.prefix;
        out.push(anyText(get, (v) => v.startsWith(p)));
      } else if (typeof o.exists === 'boolean') {
        const want = o.exists;
        out.push((s) => { const v = get(s); return (v !== undefined && v !== '') === want; });
      } else bad(field, 'give one of regex (a string), prefix (a string), exists (true or false)');
    } else {
      const want = String(spec);
      out.push(anyText(get, (v) => v === want));
    }
  }
  return out;
}
