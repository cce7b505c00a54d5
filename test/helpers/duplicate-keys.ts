/**
 * The keys that occur twice in one object of a JSON text, as `path.key` (JSON.parse keeps the last
 * silently; Elasticsearch refuses the whole document). A small tokenizer: strings, nesting, keys.
 */
export function duplicateKeys(json: string): string[] {
  const out: string[] = [];
  const stack: Array<{ keys: Set<string> | undefined; path: string; expectKey: boolean }> = [];
  let i = 0;
  const readString = (): string => {
    const start = i;
    i++;
    while (i < json.length && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(json.slice(start, i)) as string;
  };
  let lastKey = '';
  while (i < json.length) {
    const c = json[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const s = readString();
      if (top?.keys !== undefined && top.expectKey) {
        if (top.keys.has(s)) out.push(`${top.path}${s}`);
        top.keys.add(s);
        top.expectKey = false;
        lastKey = s;
      }
      continue;
    }
    if (c === '{') stack.push({ keys: new Set(), path: top === undefined ? '' : `${top.path}${top.keys ? lastKey : '[]'}.`, expectKey: true });
    else if (c === '[') stack.push({ keys: undefined, path: top === undefined ? '' : `${top.path}${top.keys ? lastKey : '[]'}.`, expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top?.keys !== undefined) top.expectKey = true;
    i++;
  }
  return out;
}
