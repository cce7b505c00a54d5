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
    'line); unknown keys are errors. Sizes take a number of bytes or `64KiB`, `10MiB`, `2GiB`.',
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
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [key, prop] of Object.entries(props)) {
    if (key === 'type') continue;
    rows.push(`| \`${key}\` | ${required.has(key) ? 'yes' : ''} | ${defaultOf(prop)} | ${describe(prop)} |`);
    if (prop.type === 'object' && prop.properties) {
      const subRequired = new Set((prop.required as string[] | undefined) ?? []);
      for (const [sub, sp] of Object.entries(prop.properties as Record<string, Schema>)) {
        rows.push(`| \`${key}.${sub}\` | ${subRequired.has(sub) ? 'yes' : ''} | ${defaultOf(sp)} | ${describe(sp)} |`);
      }
    }
    const items = prop.items as Schema | undefined;
    if (prop.type === 'array' && items?.properties) {
      for (const [sub, sp] of Object.entries(items.properties as Record<string, Schema>)) {
        rows.push(`| \`${key}[].${sub}\` | ${((items.required as string[] | undefined) ?? []).includes(sub) ? 'yes' : ''} | ${defaultOf(sp)} | ${describe(sp)} |`);
      }
    }
  }
  return rows;
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
