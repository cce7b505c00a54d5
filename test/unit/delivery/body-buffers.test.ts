import { createBodyBuffers } from '../../../connectors/shared/body-buffers';
import { createSlabs } from '../../../connectors/shared/slabs';

describe('request body buffers', () => {
  test('a body is written again only once given back; only what join made is taken back', () => {
    const bodies = createBodyBuffers(1);
    const one = bodies.join([Buffer.from('ab'), Buffer.from('cd')], 4);
    const two = bodies.join([Buffer.from('ef')], 2);
    expect(one.toString()).toBe('abcd');
    expect(two.buffer).not.toBe(one.buffer); // one is still in use
    bodies.give(one);
    const three = bodies.join([Buffer.from('gh')], 2);
    expect(three.buffer).toBe(one.buffer);
    expect(two.toString()).toBe('ef');
    // a buffer it did not make (a slab's view, say) is never taken into the pool
    const slab = createSlabs(1024);
    const view = slab.room(8);
    view.write('12345678');
    bodies.give(three);
    bodies.give(view);
    const four = bodies.join([Buffer.from('xxxxxxxx')], 8);
    expect(four.buffer).not.toBe(view.buffer);
    expect(view.toString()).toBe('12345678');
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
