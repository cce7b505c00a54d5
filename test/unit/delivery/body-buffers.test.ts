import { createBodyBuffers } from '../../../connectors/shared/body-buffers';
import { createSlabs } from '../../../connectors/shared/slabs';

// parts in buffers of their own: never back to back, so join copies them
const apart = (...texts: string[]) => texts.map((t) => Buffer.alloc(t.length, t));

describe('request body buffers', () => {
  test('a body is written again only once given back; only what join made is taken back', () => {
    const bodies = createBodyBuffers(1);
    const one = bodies.join(apart('ab', 'cd'), 4);
    const two = bodies.join(apart('e', 'f'), 2);
    expect(one.toString()).toBe('abcd');
    expect(two.buffer).not.toBe(one.buffer); // one is still in use
    bodies.give(one);
    const three = bodies.join(apart('g', 'h'), 2);
    expect(three.buffer).toBe(one.buffer);
    expect(two.toString()).toBe('ef');
    // a buffer it did not make (a slab's view, say) is never taken into the pool
    const slab = createSlabs(1024);
    const view = slab.room(8);
    view.write('12345678');
    bodies.give(three);
    bodies.give(view);
    const four = bodies.join(apart('xxxx', 'xxxx'), 8);
    expect(four.buffer).not.toBe(view.buffer);
    expect(view.toString()).toBe('12345678');
  });

  test('parts that lie back to back in one piece of memory go out as a view of it, not copied', () => {
    const bodies = createBodyBuffers(1);
    const slab = createSlabs(1024);
    const parts = [slab.room(3), slab.room(5)];
    parts[0].write('abc');
    parts[1].write('defgh');
    const body = bodies.join(parts, 8);
    expect(body.buffer).toBe(parts[0].buffer);
    expect(body.byteOffset).toBe(parts[0].byteOffset);
    expect(body.toString()).toBe('abcdefgh');
    bodies.give(body); // a view: not taken into the pool
    const copied = bodies.join(apart('x', 'y'), 2);
    expect(copied.buffer).not.toBe(parts[0].buffer);
    expect(parts[0].toString() + parts[1].toString()).toBe('abcdefgh');
  });
});

describe('encoding slabs', () => {
  test('an event bigger than an eighth of a slab gets its own buffer; releasing it is harmless', () => {
    const s = createSlabs(1024);
    const small = s.room(100);
    const big = s.room(200);
    expect(big.buffer).not.toBe(small.buffer);
    expect(big.length).toBe(200);
    s.release([big, small]);
    // the slab's only view is released: written again from its start
    expect(s.room(100).byteOffset).toBe(small.byteOffset);
  });
});
