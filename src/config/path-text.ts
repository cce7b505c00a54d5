/**
 * A key's path as operators read it in messages: `inputs[0].tls.cert_file`. Its own module: the
 * parse workers format mapping problems with it, and must not load the config loader (which
 * compiles the JSON schemas when imported: ~25 MB more heap per worker).
 */
export function pathText(path: ReadonlyArray<string | number>): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : (s ? '.' : '') + p;
  return s;
}
