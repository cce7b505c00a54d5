"use strict";
// Baseline for bench/serialize.js only: the compiled code as it was before the byte writer (not used by the gateway).
Object.defineProperty(exports, "__esModule", { value: true });
exports.processBatch = processBatch;
exports.batchContext = batchContext;
exports.processOne = processOne;
const parse_1 = require("../../dist/src/parse");
const types_1 = require("../../dist/src/inputs/types");
const batch_1 = require("../../dist/src/pipeline/batch");
const ecs_1 = require("../../dist/src/pipeline/ecs");
const ecs_writer_1 = require("./ecs-writer");
const event_id_1 = require("../../dist/src/pipeline/event-id");
/**
 * Parse, map and serialize one batch: the per-event path. Runs in a worker (parse-worker.ts),
 * inline when pipeline.workers is 0, and in `siemgate parse`: one code path for all three.
 */
function processBatch(batch, zones) {
    const formats = (0, batch_1.emptyFormatCounts)();
    const data = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
    // Each document goes into the output buffer as soon as it is written. Keeping the lines and
    // joining them at the end was twice as slow (19 vs 10 us/event measured): 2048 half-built
    // strings outlived the young generation, so the collector copied them before they were flattened.
    let out = Buffer.allocUnsafeSlow(Math.max(4096, data.byteLength * 5));
    let off = 0;
    const ctx = { timezone: 'UTC', now: batch.receivedAt };
    const bctx = batchContext(batch.receivedAt);
    const peers = (0, batch_1.unpackPeers)(batch.peers);
    let start = 0;
    for (let i = 0; i < batch.count; i++) {
        const end = batch.ends[i];
        const raw = data.toString('utf8', start, end);
        start = end;
        const peer = peers[batch.peerIndex[i]];
        ctx.timezone = zones[peer.input] ?? 'UTC';
        const doc = processOne(raw, batch.flags[i], peer, batch.metas?.[i], bctx, ctx);
        formats[doc.format]++;
        const line = doc.line;
        if (off + line.length * 3 + 1 > out.length)
            out = grow(out, off, line.length * 3 + 1);
        off += out.write(line, off, 'utf8');
        out[off++] = 10;
    }
    // unpooled and starting at offset 0, so the worker can transfer its ArrayBuffer without a copy
    return { seq: batch.seq, count: batch.count, out: out.subarray(0, off), formats };
}
function grow(buf, used, need) {
    const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, used + need));
    buf.copy(bigger, 0, 0, used);
    return bigger;
}
function batchContext(receivedAt) {
    return { receivedAt, created: (0, ecs_1.isoTime)(receivedAt, undefined), idPrefix: (0, event_id_1.idTimePrefix)(receivedAt) };
}
/** One message to its serialized ECS document. */
function processOne(raw, flags, peer, meta, b, ctx) {
    const id = (0, event_id_1.nextEventId)(b.idPrefix);
    const truncated = (flags & types_1.FLAG_TRUNCATED) !== 0;
    if ((flags & types_1.FLAG_JSON) !== 0) {
        const appJson = parseObject(raw);
        if (appJson) {
            const parsed = { format: 'json', header: 'none', message: typeof appJson.message === 'string' ? appJson.message : raw };
            const doc = (0, ecs_1.toEcs)(parsed, { id, receivedAt: b.receivedAt, peer, raw, truncated, meta, appJson });
            return { format: 'json', line: JSON.stringify(doc) };
        }
    }
    const parsed = (0, parse_1.parseMessage)(raw, ctx);
    return { format: parsed.format, line: (0, ecs_writer_1.writeEcs)(parsed, b, { id, peer, raw, truncated, meta }) };
}
function parseObject(text) {
    try {
        const v = JSON.parse(text);
        return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
    }
    catch {
        return undefined; // the input already checked it; a non-object falls back to text parsing
    }
}
