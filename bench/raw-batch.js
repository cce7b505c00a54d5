'use strict';
// One RawBatch (src/pipeline/batch.ts) of lines from one TCP peer: what the sockets hand the parse
// workers, for benches that drive processBatch directly.
const PEER = ['bench', 'tcp', '127.0.0.1', 40000];

function batchOf(lines) {
  const bufs = lines.map((l) => Buffer.from(l));
  const data = Buffer.concat(bufs);
  const ends = new Uint32Array(lines.length);
  let o = 0;
  bufs.forEach((b, i) => { ends[i] = (o += b.length); });
  return { seq: 1, receivedAt: Date.now(), count: lines.length, data: new Uint8Array(data), ends, flags: new Uint8Array(lines.length), peerIndex: new Uint16Array(lines.length), peers: PEER, metas: undefined };
}

module.exports = { batchOf };
