// Deterministic randomness from a seed: the same seed draws the same exam and the same values everywhere.

/** mulberry32: a small, fast PRNG with a 32-bit state; good enough for drawing tasks and values. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed derived from a base seed and a string (e.g. a task id), so tasks do not share draws. */
export function subSeed(seed: number, key: string): number {
  let h = seed >>> 0 ^ 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

export function pick<T>(next: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(next() * items.length)] as T;
}
