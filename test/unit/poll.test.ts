// The one wait-until-deadline loop (graders/poll.ts), and why it lives in graders/: grading polls `eventually`
// checks with it, and graders/ imports nothing but itself and tasks/schema.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { poll } from '../../graders/poll.ts';

function fakeClock() {
  const clock = { t: 0, slept: [] as number[], now: () => clock.t, sleep: async (ms: number) => void (clock.slept.push(ms), (clock.t += ms)) };
  return clock;
}

describe('poll', () => {
  test('returns the first defined value, or undefined after the deadline having tried once more', async () => {
    const clock = fakeClock();
    let calls = 0;
    expect(await poll(() => (++calls === 3 ? 'x' : undefined), { timeoutMs: 1000, intervalMs: 100, ...clock })).toBe('x');
    calls = 0;
    clock.t = 0;
    expect(await poll(() => void calls++, { timeoutMs: 250, intervalMs: 100, ...clock })).toBeUndefined();
    expect(calls).toBe(4);
  });

  test('never sleeps past the deadline: the last try is at the deadline itself', async () => {
    const clock = fakeClock();
    const triedAt: number[] = [];
    expect(await poll(() => void triedAt.push(clock.t), { timeoutMs: 250, intervalMs: 100, ...clock })).toBeUndefined();
    expect(clock.slept).toEqual([100, 100, 50]);
    expect(triedAt).toEqual([0, 100, 200, 250]);
  });

  test('takes an absolute deadline; one already passed still gets one try, without a sleep', async () => {
    const clock = fakeClock();
    clock.t = 1000;
    const triedAt: number[] = [];
    expect(await poll(() => void triedAt.push(clock.t), { deadline: 1300, intervalMs: 200, ...clock })).toBeUndefined();
    expect(triedAt).toEqual([1000, 1200, 1300]);
    clock.slept = [];
    let calls = 0;
    expect(await poll(() => void calls++, { deadline: 900, intervalMs: 200, ...clock })).toBeUndefined();
    expect(calls).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  test('a probe that takes time counts against the deadline', async () => {
    const clock = fakeClock();
    const triedAt: number[] = [];
    const slowProbe = () => {
      triedAt.push(clock.t);
      clock.t += 70;
      return undefined;
    };
    await poll(slowProbe, { timeoutMs: 200, intervalMs: 100, ...clock });
    // 0 (+70) sleep 100 → 170 (+70) = 240: past the deadline, so one more try at once, and no more.
    expect(triedAt).toEqual([0, 170, 240]);
    expect(clock.slept).toEqual([100, 0]);
  });

  test('backs off by half again per try up to maxIntervalMs, still never past the deadline', async () => {
    const clock = fakeClock();
    expect(await poll(() => undefined, { timeoutMs: 1000, intervalMs: 50, maxIntervalMs: 200, ...clock })).toBeUndefined();
    expect(clock.slept).toEqual([50, 75, 113, 170, 200, 200, 192]);
    clock.t = 0;
    clock.slept = [];
    await poll(() => undefined, { timeoutMs: 300, intervalMs: 100, ...clock });
    expect(clock.slept).toEqual([100, 100, 100]);
  });
});

describe('graders/ depends only on itself and tasks/schema.ts', () => {
  const root = resolve(import.meta.dirname, '../..');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

  test('no module of graders/ imports sandbox/, cli/ or any other part of tasks/', () => {
    const targets: string[] = [];
    for (const file of files(join(root, 'graders'))) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
        targets.push(`${relative(root, file)} → ${relative(root, resolve(dirname(file), spec!))}`);
      }
    }
    // The scan sees the imports it must: the engine's poll and the schema.
    expect(targets).toEqual(expect.arrayContaining(['graders/engine.ts → graders/poll.ts', 'graders/engine.ts → tasks/schema.ts']));
    expect(targets.filter((t) => !/ → (graders\/|tasks\/schema\.ts$)/.test(t))).toEqual([]);
  });
});
