import { createInputArenas } from '../../../src/pipeline/input-arena';

const bytes = (text: string) => Buffer.from(text);
const fill = (a: ReturnType<typeof createInputArenas>, text: string) => { const b = bytes(text); a.put(b, 0, b.length); };
const str = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString();

describe('input arenas', () => {
  test('batches are carved back to back; an arena is written again only once every batch in it is answered', () => {
    const a = createInputArenas(64, 1);
    fill(a, 'aaaaaaaaaaaaaaaaaaaa'); // 20
    const one = a.seal();
    fill(a, 'bbbbbbbbbbbbbbbbbbbb');
    const two = a.seal();
    expect(two.data.buffer).toBe(one.data.buffer);
    expect(two.data.byteOffset).toBe(one.data.byteOffset + 20);
    expect(one.arena.pending).toBe(2);
    // 30 more do not fit after 40 of 64: an empty batch moves to a fresh arena (the first is in use)
    expect(a.fits(30)).toBe(false);
    fill(a, 'cccccccccccccccccccccccccccccc');
    const three = a.seal();
    expect(three.data.buffer).not.toBe(one.data.buffer);
    // the batches in the first arena are intact, whatever was written since
    expect(str(one.data)).toBe('a'.repeat(20));
    expect(str(two.data)).toBe('b'.repeat(20));
    a.release(one.arena);
    fill(a, 'd'.repeat(30)); // fits after three in the second arena
    a.seal();
    expect(str(two.data)).toBe('b'.repeat(20));
    a.release(two.arena); // the first arena is idle now: the next fresh one is it
    fill(a, 'e'.repeat(10));
    const five = a.seal();
    expect(five.data.buffer).toBe(one.data.buffer);
    expect(str(three.data)).toBe('c'.repeat(30));
  });

  test('an arena whose batches are all answered is written from its start again', () => {
    const a = createInputArenas(64);
    fill(a, 'x'.repeat(50));
    const one = a.seal();
    a.release(one.arena);
    fill(a, 'y'.repeat(50));
    const two = a.seal();
    expect(two.data.buffer).toBe(one.data.buffer);
    expect(two.data.byteOffset).toBe(one.data.byteOffset);
    expect(a.heldBytes()).toBe(64);
  });

  test('a message larger than an arena gets one of its own, which is not kept idle', () => {
    const a = createInputArenas(64, 4);
    fill(a, 'small');
    const s = a.seal();
    const big = 'B'.repeat(200);
    fill(a, big);
    const b = a.seal();
    expect(str(b.data)).toBe(big);
    expect(str(s.data)).toBe('small');
    expect(a.heldBytes()).toBe(64 + 200);
    fill(a, 'after'); // does not fit after the big one: a normal arena again
    a.seal();
    a.release(b.arena);
    expect(a.heldBytes()).toBe(64 + 64); // the big one is let go of, not kept
  });
});
