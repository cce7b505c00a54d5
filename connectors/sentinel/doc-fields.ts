/**
 * Typed reads from a parsed ECS document (src/pipeline/ecs.ts writes it). The document is JSON
 * that the pipeline wrote, but JSON events from HTTP senders keep their own shape, so every read
 * checks the type and a wrong one reads as absent.
 */
import { sentinelOutput } from '../../src/mapping/outputs';

export type Doc = Record<string, unknown>;

export function objectAt(o: Doc | undefined, key: string): Doc | undefined {
  const v = o?.[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : undefined;
}

export function stringAt(o: Doc | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function numberAt(o: Doc | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The sender's address: the peer the gateway saw, else what the document recorded of it. */
export function peerIp(doc: Doc, keyIp: string | undefined): string | undefined {
  return keyIp ?? stringAt(objectAt(objectAt(doc, 'siemgate'), 'peer'), 'ip') ?? stringAt(objectAt(doc, 'host'), 'ip');
}

/** The first of these ECS fields (as paths: ['log', 'syslog', 'appname']) that holds a string. */
export function firstString(doc: Doc, paths: string[][]): string | undefined {
  for (const p of paths) {
    let o: Doc | undefined = doc;
    for (let i = 0; i < p.length - 1 && o !== undefined; i++) o = objectAt(o, p[i]);
    const v = stringAt(o, p[p.length - 1]);
    if (v !== undefined) return v;
  }
  return undefined;
}

let computer: string[][] | undefined;

/** The device's name as its syslog header (or the sender) gave it: `computer` in mappings/outputs/sentinel.yaml. */
export function hostNameOf(doc: Doc): string | undefined {
  return firstString(doc, computer ??= sentinelOutput().computer);
}
