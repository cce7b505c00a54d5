const UNITS: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12,
  KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4,
};

/** `10GiB`, `64KiB`, `1.5MB`, `4096` → bytes. The schema has already checked the shape. */
export function parseSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(value);
  if (!m) throw new Error(`not a size: ${value}`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'B').toUpperCase()]);
}
