import { describe, expect, it } from 'vitest';
import { COMPETENCIES, DOMAINS, type Competency, type Domain, type Task } from '../../tasks/schema.ts';
import { apportion, competencyStandings, drawExam, pickDrillTask, spreadByCompetency, weakestDomains } from '../../cli/exam/draw.ts';
import { competenciesOf, fakeCatalog, fakeTask } from './exam-fakes.ts';
import { rng } from '../../tasks/random.ts';
import { renderTextHistory } from '../../cli/report/text.ts';
import type { HistoryRecord } from '../../cli/exam/history.ts';

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

describe('competencies', () => {
  /** Every domain's competencies with uneven numbers of tasks: the first competency of a domain has 6, the others 1 or 2. */
  const lopsided: Task[] = (Object.keys(DOMAINS) as Domain[]).flatMap((d) =>
    competenciesOf(d).flatMap((c, i) => Array.from({ length: i === 0 ? 6 : 1 + (i % 2) }, (_, k) => fakeTask(`${c}-${k + 1}`, d, { competency: c }))),
  );

  /** True when no competency of a domain was drawn m+1 times while another one that had m tasks to give got fewer than m. */
  function spreadHolds(drawn: readonly Task[], available: readonly Task[]): boolean {
    for (const d of Object.keys(DOMAINS) as Domain[]) {
      const count = (list: readonly Task[], c: Competency) => list.filter((t) => t.competency === c).length;
      const cs = competenciesOf(d);
      const most = Math.max(...cs.map((c) => count(drawn, c)));
      if (cs.some((c) => count(drawn, c) < Math.min(most - 1, count(available, c)))) return false;
    }
    return true;
  }

  it('the 16-task exam keeps the domain weights and never repeats a competency before its domain has had each once', () => {
    for (let seed = 0; seed < 200; seed++) {
      const draw = drawExam(lopsided, 16, seed);
      expect(draw.tasks).toHaveLength(16);
      expect(countBy(draw.tasks.map((t) => t.domain))).toEqual(apportion(16, plenty));
      expect(spreadHolds(draw.tasks, lopsided)).toBe(true);
      // 4 config-security seats, 8 competencies with tasks: 4 different ones.
      const cs = draw.tasks.filter((t) => t.domain === 'config-security').map((t) => t.competency);
      expect(new Set(cs).size).toBe(4);
    }
  });

  it('a shuffle by domain alone would repeat the crowded competency: the spread is what prevents it', () => {
    // With 6 of 10 design-build tasks in one competency, 3 picks by plain shuffle repeat it often.
    const designBuild = lopsided.filter((t) => t.domain === 'design-build');
    for (let seed = 0; seed < 50; seed++) {
      const picked = spreadByCompetency(designBuild, 3, rng(seed));
      expect(new Set(picked.map((t) => t.competency)).size).toBe(3);
    }
    const all = spreadByCompetency(designBuild, 100, rng(1));
    expect(all).toHaveLength(designBuild.length);
    expect(all.slice(0, 4).map((t) => t.competency).sort()).toEqual([...competenciesOf('design-build')].sort());
  });

  it('every competency is drawn over a few seeds, and the same seed draws the same spread', () => {
    const seen = new Set<Competency>();
    for (let seed = 0; seed < 30; seed++) for (const t of drawExam(lopsided, 16, seed).tasks) seen.add(t.competency);
    expect([...seen].sort()).toEqual((Object.keys(COMPETENCIES) as Competency[]).sort());
    expect(drawExam(lopsided, 16, 7).tasks.map((t) => t.id)).toEqual(drawExam([...lopsided].reverse(), 16, 7).tasks.map((t) => t.id));
  });

  it('drill --competency picks from it; a typo gets "did you mean"', () => {
    for (let seed = 0; seed < 10; seed++) {
      const p = pickDrillTask(lopsided, { competency: 'probes' }, seed);
      expect(p.ok && p.task.competency).toBe('probes');
    }
    const typo = pickDrillTask(lopsided, { competency: 'network-policy' }, 1);
    expect(!typo.ok && typo.message).toMatch(/No competency "network-policy"\. Did you mean network-policies\?/);
    const empty = pickDrillTask(fakeCatalog(1), { competency: 'helm' }, 1);
    expect(!empty.ok && empty.message).toMatch(/no task for .*\(helm\)/);
  });

  it('history per competency: weakest first, over the recent attempts, from the catalog\'s competency of each task', () => {
    const catalog = [fakeTask('a', 'observability', { competency: 'probes' }), fakeTask('b', 'observability', { competency: 'debugging' }), fakeTask('c', 'deployment', { competency: 'helm' })];
    const record = (endedAt: number, tasks: [string, number, number][]) => ({ endedAt, report: { tasks: tasks.map(([id, score, maxScore]) => ({ id, score, maxScore, checks: [] })) } });
    const standings = competencyStandings([record(1, [['a', 1, 4], ['b', 4, 4]]), record(2, [['a', 3, 4], ['gone', 0, 5]]), record(3, [['c', 0, 0]])], catalog);
    expect(standings.map((s) => [s.competency, s.domain, s.percent, s.attempts])).toEqual([
      ['probes', 'observability', 50, 2],
      ['debugging', 'observability', 100, 1],
    ]);
    expect(competencyStandings([record(1, [['a', 0, 4]]), record(2, [['a', 4, 4]])], catalog, 1)[0]).toMatchObject({ percent: 100, attempts: 1 });
  });

  it('history lists the competencies, weakest first, with the command to drill one', () => {
    const catalog = [fakeTask('a', 'observability', { competency: 'probes' }), fakeTask('b', 'deployment', { competency: 'helm' })];
    const report = { score: 5, maxScore: 10, percent: 50, tasks: [{ id: 'a', score: 1, maxScore: 5, checks: [] }, { id: 'b', score: 4, maxScore: 5, checks: [] }] };
    const record = { version: 1, id: 'x1', kind: 'exam', seed: 1, minutes: 120, createdAt: 0, startedAt: 0, endedAt: 1, reason: 'finished', score: 5, maxScore: 10, percent: 50, passed: false, passPercent: 66, domains: [], tasks: [], report } as unknown as HistoryRecord;
    const text = renderTextHistory([record], [], competencyStandings([record], catalog));
    const section = text.slice(text.indexOf('Per competency'));
    expect(section).toMatch(/drill --competency/);
    expect(section.split('\n').slice(1, 3).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([['probes', '20%'], ['helm', '80%']]);
    expect(renderTextHistory([record], [])).not.toMatch(/Per competency/);
  });
});
