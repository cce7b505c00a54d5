import { destinationSchemas, inputSchemas, topSchema } from './schema';

/**
 * docs/configuration.md, rendered from the schemas, so the reference can never drift from what
 * the loader accepts (test/unit/config/reference.test.ts compares; `npm run docs` rewrites it).
 */
type Schema = Record<string, unknown>;

export function renderConfigReference(): string {
  const out: string[] = [
    '# siemgate configuration reference',
    '',
    '<!-- generated from src/config/schema.ts by `npm run docs`; do not edit by hand -->',
    '',
    'One YAML file (`siemgate run -c FILE`, validated by `siemgate check -c FILE`). Keys are snake_case;',
    '`${NAME}` in any string is replaced by the environment variable NAME (unset: an error naming the',
    'line); unknown keys are errors. Sizes take a number of bytes or `64KiB`, `10MiB`, `2GiB` (1024-based;',
    '`64KB`, `10MB`, `2GB` are 1000-based). Relative paths (data_dir, files) are relative to the config file.',
    '',
    '## Top level',
    '',
    ...table(topSchema),
  ];
  for (const [type, schema] of Object.entries(inputSchemas)) {
    out.push('', `## Input \`type: ${type}\``, '', ...table(schema));
  }
  for (const [type, schema] of Object.entries(destinationSchemas)) {
    out.push('', `## Destination \`type: ${type}\``, '', ...table(schema));
  }
  return out.join('\n') + '\n';
}

function table(schema: Schema): string[] {
  const rows = ['| key | required | default | description |', '|---|---|---|---|'];
  const seen = new Set<string>();
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [key, prop] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    if (key !== 'type') walk(rows, seen, `${key}`, prop, required.has(key), '');
  }
  return rows;
}

/**
 * One row per key at any depth: objects' keys as `a.b`, array items' as `a[].b`, and the keys of
 * each variant of an anyOf/oneOf (a notification target per `type`), said for which type they are.
 */
function walk(rows: string[], seen: Set<string>, path: string, prop: Schema, required: boolean, variant: string): void {
  if (!seen.has(path)) {
    seen.add(path);
    rows.push(`| \`${path}\` | ${required ? 'yes' : ''} | ${defaultOf(prop)} | ${variant}${describe(prop)} |`);
  }
  const items = prop.items as Schema | undefined;
  if (prop.type === 'array' && items !== undefined) children(rows, seen, `${path}[]`, items);
  else children(rows, seen, path, prop);
}

function children(rows: string[], seen: Set<string>, path: string, schema: Schema): void {
  const own = (schema.properties ?? {}) as Record<string, Schema>;
  const req = new Set((schema.required as string[] | undefined) ?? []);
  for (const [sub, sp] of Object.entries(own)) walk(rows, seen, `${path}.${sub}`, sp, req.has(sub), '');
  for (const v of [...((schema.anyOf ?? []) as Schema[]), ...((schema.oneOf ?? []) as Schema[])]) {
    const vp = (v.properties ?? {}) as Record<string, Schema>;
    const type = (vp.type as Schema | undefined)?.const;
    const vreq = new Set((v.required as string[] | undefined) ?? []);
    for (const [sub, sp] of Object.entries(vp)) {
      if (sub === 'type' && type !== undefined) {
        walk(rows, seen, `${path}.type`, { description: 'Which kind this is.' }, true, '');
        continue;
      }
      walk(rows, seen, `${path}.${sub}`, sp, vreq.has(sub), type !== undefined && !(sub in own) ? `(\`type: ${String(type)}\`) ` : '');
    }
  }
}

function defaultOf(p: Schema): string {
  return p.default === undefined ? '' : `\`${String(p.default)}\``;
}

function describe(p: Schema): string {
  let s = String(p.description ?? '');
  if (Array.isArray(p.enum)) s += ` One of: ${(p.enum as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}.`;
  const ex = p.examples as unknown[] | undefined;
  if (ex && ex.length > 0 && ex[0] !== p.default) s += ` Example: \`${typeof ex[0] === 'string' ? ex[0] : JSON.stringify(ex[0])}\`.`;
  return s.replace(/\|/g, '\\|').trim();
}
