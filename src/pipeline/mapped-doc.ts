import type { MapResult } from '../mapping';
import type { EcsDoc } from './ecs';

/**
 * Puts what a mapping found into the event's ECS document. `source` and `network` describe the
 * sender's connection until a mapping knows better: a firewall's `source.ip` is the flow's, not
 * the firewall's address, so a mapping that sets any of them replaces the object (the sender
 * stays in `siemgate.peer`). Everything else is merged field by field, the mapping winning.
 */
export function mergeMapped(doc: EcsDoc, m: MapResult): void {
  const f = m.fields;
  let source = false;
  let network = false;
  for (const k in f) {
    if (k.startsWith('source.')) source = true;
    else if (k.startsWith('network.')) network = true;
  }
  if (source) delete doc.source;
  if (network) delete doc.network;
  for (const k in f) setPath(doc, k, f[k]);
  const gw = (doc.siemgate ??= {}) as Record<string, unknown>;
  gw.product = m.product;
  if (m.rule !== undefined) gw.rule = m.rule;
  if (m.warnings !== undefined) {
    gw.mapping_warnings = m.warnings;
    const tags = Array.isArray(doc.tags) ? (doc.tags as string[]) : (doc.tags = []) as string[];
    if (!tags.includes('mapping_warning')) tags.push('mapping_warning');
  }
}

function setPath(doc: EcsDoc, path: string, value: unknown): void {
  let o: Record<string, unknown> = doc;
  let from = 0;
  for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', from)) {
    const k = path.slice(from, dot);
    const next = o[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) o = (o[k] = {}) as Record<string, unknown>;
    else o = next as Record<string, unknown>;
    from = dot + 1;
  }
  o[path.slice(from)] = value;
}
