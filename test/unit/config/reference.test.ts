import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from '../../../src/config/reference';

describe('docs/configuration.md', () => {
  test('is what the schema renders (run `npm run docs` after changing src/config/schema.ts)', () => {
    expect(readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8')).toBe(renderConfigReference());
  });
  test('names every input type and its keys with defaults', () => {
    const doc = renderConfigReference();
    for (const t of ['syslog_udp', 'syslog_tcp', 'syslog_tls', 'http', 'file']) expect(doc).toContain(`\`type: ${t}\``);
    expect(doc).toMatch(/\| `framing` \|  \| `auto` \|/);
    expect(doc).toMatch(/\| `tls.client_auth` \|  \| `none` \|/);
  });
});
