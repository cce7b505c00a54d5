import { createBufferPool, roundUp } from '../../src/buffer-pool';

describe('buffer pool', () => {
  test('takes the smallest kept buffer that fits, else makes one of the rounded size', () => {
    const pool = createBufferPool(3, roundUp(100));
    const a = pool.take(150);
    expect(a.byteLength).toBe(200);
    const b = pool.take(30);
    expect(b.byteLength).toBe(100);
    pool.give(a);
    pool.give(b);
    expect(pool.take(50)).toBe(b); // the smallest that fits, not the first given
    expect(pool.take(50)).toBe(a); // the one left
    expect(pool.take(50).byteLength).toBe(100); // none left: a new one
  });

  test('when full, keeps the larger buffers', () => {
    const pool = createBufferPool(2);
    const small = pool.take(10);
    const mid = pool.take(20);
    const big = pool.take(30);
    pool.give(small);
    pool.give(mid);
    pool.give(big); // replaces small
    expect(pool.take(5)).toBe(mid);
    expect(pool.take(5)).toBe(big);
    expect(pool.take(5)).not.toBe(small);
  });
});
