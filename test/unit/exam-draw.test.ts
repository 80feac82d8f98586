import { describe, expect, it } from 'vitest';
import { DOMAINS, type Domain } from '../../tasks/schema.ts';
import { apportion, drawExam, pickDrillTask, weakestDomains } from '../../cli/exam/draw.ts';
import { fakeCatalog, fakeTask } from './exam-fakes.ts';

const DOMAIN_IDS = Object.keys(DOMAINS) as Domain[];
const plenty = Object.fromEntries(DOMAIN_IDS.map((d) => [d, 100])) as Record<Domain, number>;
const countBy = (domains: readonly Domain[]) => Object.fromEntries(DOMAIN_IDS.map((d) => [d, domains.filter((x) => x === d).length]));

describe('apportion (largest remainder)', () => {
  it('16 tasks by the curriculum weights 20/20/15/25/20', () => {
    // Quotas 3.2, 3.2, 2.4, 4.0, 3.2: floors 3,3,2,4,3 = 15; the largest remainder (.4) gets the 16th.
    expect(apportion(16, plenty)).toEqual({ 'design-build': 3, deployment: 3, observability: 3, 'config-security': 4, 'services-networking': 3 });
  });

  it('sums to n for every size and never exceeds capacity', () => {
    for (let n = 0; n <= 40; n++) {
      const counts = apportion(n, plenty);
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(n);
    }
    const capacity = { 'design-build': 1, deployment: 10, observability: 0, 'config-security': 2, 'services-networking': 10 };
    const counts = apportion(16, capacity);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(16);
    for (const d of DOMAIN_IDS) expect(counts[d]).toBeLessThanOrEqual(capacity[d]);
    expect(counts).toMatchObject({ 'design-build': 1, observability: 0, 'config-security': 2 });
  });
});

describe('drawExam', () => {
  const catalog = fakeCatalog(6);

  it('draws 16 distinct tasks with per-domain counts matching the apportionment', () => {
    const draw = drawExam(catalog, 16, 1234);
    expect(draw.tasks).toHaveLength(16);
    expect(new Set(draw.tasks.map((t) => t.id)).size).toBe(16);
    expect(countBy(draw.tasks.map((t) => t.domain))).toEqual(apportion(16, plenty));
    expect(draw.shortfall).toBeUndefined();
  });

  it('the same seed draws the same exam, whatever order the catalog is in; another seed another', () => {
    const a = drawExam(catalog, 16, 99).tasks.map((t) => t.id);
    expect(drawExam([...catalog].reverse(), 16, 99).tasks.map((t) => t.id)).toEqual(a);
    expect(drawExam(catalog, 16, 100).tasks.map((t) => t.id)).not.toEqual(a);
  });

  it('is graceful when a domain has too few tasks or the catalog is small', () => {
    const thin = [...catalog.filter((t) => t.domain !== 'observability'), fakeTask('obs-only', 'observability')];
    const draw = drawExam(thin, 16, 5);
    expect(draw.tasks).toHaveLength(16);
    expect(draw.counts.observability).toBe(1);
    expect(draw.shortfall).toMatch(/Application Observability and Maintenance/);
    const small = drawExam(catalog.slice(0, 4), 16, 5);
    expect(small.tasks).toHaveLength(4);
    expect(small.shortfall).toMatch(/fewer than the 16/);
    expect(new Set(drawExam([...catalog, ...catalog], 30, 1).tasks.map((t) => t.id)).size).toBe(30);
  });
});

describe('weakest domains and drill picks', () => {
  const score = (domain: Domain, s: number, max = 10) => ({ domain, score: s, maxScore: max, percent: (s / max) * 100, tasks: 1 });
  const history = [
    { endedAt: 1, domains: [score('deployment', 2), score('observability', 9)] },
    { endedAt: 2, domains: [score('deployment', 4), score('observability', 8), score('services-networking', 5)] },
  ];

  it('orders attempted domains from weakest, by points over recent attempts', () => {
    expect(weakestDomains(history).map((w) => [w.domain, Math.round(w.percent), w.attempts])).toEqual([
      ['deployment', 30, 2],
      ['services-networking', 50, 1],
      ['observability', 85, 2],
    ]);
    expect(weakestDomains([])).toEqual([]);
  });

  it('drill --weakest picks from the weakest domain; without history it says what to do', () => {
    const catalog = fakeCatalog(3);
    const pick = pickDrillTask(catalog, { weakest: true }, 1, history);
    expect(pick.ok && pick.task.domain).toBe('deployment');
    const none = pickDrillTask(catalog, { weakest: true }, 1, []);
    expect(none.ok).toBe(false);
    expect(!none.ok && none.message).toMatch(/ckad-lab exam/);
  });

  it('drill by id, by domain, and another task avoids the last one', () => {
    const catalog = fakeCatalog(3);
    expect(pickDrillTask(catalog, { id: 'deployment-2' }, 1)).toMatchObject({ ok: true, task: { id: 'deployment-2' } });
    expect(pickDrillTask(catalog, { id: 'nope' }, 1).ok).toBe(false);
    for (let seed = 0; seed < 20; seed++) {
      const p = pickDrillTask(catalog, { domain: 'observability' }, seed, [], 'observability-1');
      expect(p.ok && p.task.id).not.toBe('observability-1');
      expect(p.ok && p.task.domain).toBe('observability');
    }
  });
});
