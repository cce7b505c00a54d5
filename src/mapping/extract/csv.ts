/**
 * One CSV record (PAN-OS, pfSense filterlog): fields split by a separator, a field in double
 * quotes may hold the separator and `""` for a quote. Returns the fields as strings. With `from`,
 * the record text[from, end): the same fields as of text.slice(from).
 */
export function runCsv(text: string, separator: string, into: string[], from = 0): number {
  const n = text.length;
  const sep = separator.charCodeAt(0);
  let count = 0;
  let i = from;
  for (;;) {
    if (text.charCodeAt(i) === 34 /* " */) {
      let k = i + 1;
      let value = '';
      let from = k;
      for (; k < n; k++) {
        if (text.charCodeAt(k) === 34) {
          if (text.charCodeAt(k + 1) === 34) { value += text.slice(from, k + 1); k++; from = k + 1; continue; }
          break;
        }
      }
      value += text.slice(from, Math.min(k, n));
      into[count++] = value;
      i = k + 1;
      // skip to the separator after the closing quote
      while (i < n && text.charCodeAt(i) !== sep) i++;
    } else {
      let k = i;
      while (k < n && text.charCodeAt(k) !== sep) k++;
      into[count++] = text.slice(i, k);
      i = k;
    }
    if (i >= n) break;
    i++; // the separator
    if (i === n) { into[count++] = ''; break; }
  }
  return count;
}
