/**
 * A JSON object payload (the whole text from `start`, e.g. Suricata EVE, possibly after a syslog
 * header). Returns undefined unless the text, trimmed, is `{...}` and parses to an object.
 */
export function parseJson(text: string, start = 0): Record<string, unknown> | undefined {
  let i = start;
  let e = text.length;
  while (i < e && isWs(text.charCodeAt(i))) i++;
  while (e > i && isWs(text.charCodeAt(e - 1))) e--;
  if (e - i < 2 || text.charCodeAt(i) !== 123 /* { */ || text.charCodeAt(e - 1) !== 125 /* } */) return undefined;
  let v: unknown;
  // Only text that looks like an object gets here; a parse failure is a real error, not a probe.
  try {
    v = JSON.parse(i === 0 && e === text.length ? text : text.slice(i, e));
  } catch {
    return undefined;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
