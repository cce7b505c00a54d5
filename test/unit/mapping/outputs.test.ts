import { createMapper, ecsToCef, cefOutput, splunkSourcetypes, valueAt } from '../../../src/mapping';
import { batchContext, processOne } from '../../../src/pipeline';
import { parseCef } from '../../../src/parse';

/**
 * ECS → CEF → our CEF parser gives back the same values, for the document of every shipped
 * mapping example: the output table, the escaping and the parser agree.
 */
describe('ECS → CEF round trip', () => {
  const mapper = createMapper();
  const now = Date.UTC(2024, 5, 1);
  const table = cefOutput();
  const docs = mapper.examples.map((e) => JSON.parse(processOne(e.raw, 0, { input: 'x', transport: 'udp', ip: '192.0.2.1', port: 514 }, undefined, batchContext(now), { timezone: 'UTC', now }, mapper).line) as Record<string, unknown>);
  const first = (doc: Record<string, unknown>, names: string[]): string | undefined => {
    for (const n of names) {
      let v = valueAt(doc, n);
      if (Array.isArray(v)) v = v[0];
      if (v !== undefined && v !== null && v !== '') return typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return undefined;
  };

  it.each(docs.map((d, i) => [mapper.examples[i].raw.slice(0, 70), d]))('%s', (_name, doc) => {
    const line = ecsToCef(doc as Record<string, unknown>);
    const back = parseCef(line);
    expect(back).toBeDefined();
    const d = doc as Record<string, unknown>;
    expect(back!.deviceVendor).toBe(first(d, table.header.vendor) ?? table.defaults.vendor);
    expect(back!.deviceEventClassId).toBe(first(d, table.header.signature) ?? table.defaults.signature);
    let checked = 0;
    for (const [key, names] of table.extensions) {
      const want = first(d, names);
      if (want === undefined || key === 'rt' || key === 'deviceDirection') continue;
      const got = key === 'cs1Label' ? back!.extensions.cs1 : back!.extensions[key];
      // the parser keeps a value's inner spaces but not its trailing ones (logstash-codec-cef does the same)
      expect([key, got]).toEqual([key, want.replace(/\r?\n/g, '\n').trimEnd()]);
      checked++;
    }
    if (d['@timestamp'] !== undefined) expect(Number(back!.extensions.rt)).toBe(Date.parse(String(d['@timestamp'])));
    expect(checked).toBeGreaterThan(0);
  });

  it('severity counts CEF\'s way (10 the worst): a syslog-scale severity is translated, a CEF one kept', () => {
    const sev = (doc: Record<string, unknown>) => parseCef(ecsToCef(doc))!.severity;
    // Cisco %ASA-6- (informational) and PRI severity 6: Low, not CEF 6 (Medium)
    expect(sev({ event: { severity: 6 }, log: { syslog: { severity: { code: 6 } } } })).toBe('1');
    expect(sev({ event: { severity: 3 }, log: { syslog: { severity: { code: 3 } } } })).toBe('7');
    expect(sev({ log: { syslog: { severity: { code: 0 } } } })).toBe('10');
    // a CEF event keeps its own, whatever the syslog header around it said
    expect(sev({ cef: { severity: '8' }, event: { severity: 8 }, log: { syslog: { severity: { code: 6 } } } })).toBe('8');
    // no syslog header: event.severity is taken as it is
    expect(sev({ event: { severity: 4 } })).toBe('4');
  });

  it('escapes what CEF must: | and \\ in the header, = \\ and line breaks in values', () => {
    const line = ecsToCef({ observer: { vendor: 'A|B\\C', product: 'p' }, event: { code: '1', action: 'x=y' }, message: 'a=b\nc\\d' });
    expect(line).toBe('CEF:0|A\\|B\\\\C|p|1|1|x=y|0|act=x\\=y msg=a\\=b\\nc\\\\d');
    const back = parseCef(line)!;
    expect([back.deviceVendor, back.extensions.act, back.extensions.msg]).toEqual(['A|B\\C', 'x=y', 'a=b\nc\\d']);
  });
});

describe('Splunk sourcetypes of unmapped events (mappings/outputs/splunk.yaml)', () => {
  it('name one per format', () => {
    expect(splunkSourcetypes()).toMatchObject({ rfc5424: 'syslog', rfc3164: 'syslog', cef: 'cef', json: '_json' });
  });
});
