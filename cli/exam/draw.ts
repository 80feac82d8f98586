// Drawing tasks: an exam by the curriculum's domain weights, spread over each domain's competencies; a drill
// by id, competency, domain or weakest domain. Deterministic for a seed: the same seed and catalog draw the
// same tasks in the same order.
import { COMPETENCIES, DOMAINS, suggestCompetency, type Competency, type Domain, type Task } from '../../tasks/schema.ts';
import { pick, rng, subSeed } from '../../tasks/random.ts';
import type { DomainScore } from '../report/summary.ts';
import { fullyGraded } from './history.ts';

const DOMAIN_ORDER = Object.keys(DOMAINS) as Domain[];

export type DomainCounts = Record<Domain, number>;

const zeroCounts = (): DomainCounts => Object.fromEntries(DOMAIN_ORDER.map((d) => [d, 0])) as DomainCounts;

/**
 * Largest-remainder (Hamilton) apportionment of `n` seats by `weights`, capped by `capacity`: a domain with
 * too few tasks gets all it has and its share goes to the others by their weights. Integer arithmetic, so
 * no rounding surprises; ties go to the heavier domain, then to curriculum order.
 */
export function apportion(n: number, capacity: DomainCounts, weights: Record<Domain, number> = weightsOf()): DomainCounts {
  const counts = zeroCounts();
  let open = DOMAIN_ORDER.filter((d) => capacity[d] > 0 && weights[d] > 0);
  let seats = Math.min(Math.max(0, Math.floor(n)), open.reduce((s, d) => s + capacity[d], 0));
  for (;;) {
    const total = open.reduce((s, d) => s + weights[d], 0);
    if (open.length === 0 || total === 0) return counts;
    const share = new Map(open.map((d) => [d, { floor: Math.floor((seats * weights[d]) / total), rest: (seats * weights[d]) % total }]));
    let left = seats - open.reduce((s, d) => s + (share.get(d)?.floor ?? 0), 0);
    const byRemainder = [...open].sort(
      (a, b) => (share.get(b)?.rest ?? 0) - (share.get(a)?.rest ?? 0) || weights[b] - weights[a] || DOMAIN_ORDER.indexOf(a) - DOMAIN_ORDER.indexOf(b),
    );
    const quota = new Map(open.map((d) => [d, share.get(d)?.floor ?? 0]));
    for (const d of byRemainder) {
      if (left === 0) break;
      quota.set(d, (quota.get(d) ?? 0) + 1);
      left -= 1;
    }
    const over = open.filter((d) => (quota.get(d) ?? 0) > capacity[d]);
    if (over.length === 0) {
      for (const d of open) counts[d] = quota.get(d) ?? 0;
      return counts;
    }
    for (const d of over) {
      counts[d] = capacity[d];
      seats -= capacity[d];
    }
    open = open.filter((d) => !over.includes(d));
  }
}

const weightsOf = (): Record<Domain, number> => Object.fromEntries(DOMAIN_ORDER.map((d) => [d, DOMAINS[d].weight])) as Record<Domain, number>;

/** Fisher–Yates with a seeded generator; returns a new array. */
export function shuffle<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

export type ExamDraw = {
  tasks: Task[];
  /** How many tasks each domain got. */
  counts: DomainCounts;
  /** Set when the catalog could not fill the request: what was drawn instead, for the user. */
  shortfall?: string;
};

/**
 * `n` of a domain's tasks, spread over its competencies: a seeded round-robin over the competencies that have
 * tasks, so no competency comes twice before every one of them has come once. Each round visits the
 * competencies in a fresh seeded order, so a partial last round favours none of them.
 */
export function spreadByCompetency(tasks: readonly Task[], n: number, next: () => number): Task[] {
  const queues = new Map<Competency, Task[]>();
  for (const t of shuffle(tasks, next)) queues.set(t.competency, [...(queues.get(t.competency) ?? []), t]);
  const competencies = (Object.keys(COMPETENCIES) as Competency[]).filter((c) => queues.has(c));
  const out: Task[] = [];
  while (out.length < n) {
    const round = shuffle(competencies.filter((c) => (queues.get(c)?.length ?? 0) > 0), next);
    if (round.length === 0) break;
    for (const c of round) {
      if (out.length === n) break;
      const t = queues.get(c)?.shift();
      if (t) out.push(t);
    }
  }
  return out;
}

/** `count` distinct tasks by domain weight, spread over competencies, in a seeded order. Fewer when the catalog is smaller. */
export function drawExam(catalog: readonly Task[], count: number, seed: number): ExamDraw {
  const byDomain = new Map<Domain, Task[]>();
  const ids = new Set<string>();
  // Sorted by id so the draw does not depend on the order the catalog was read in.
  for (const task of [...catalog].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (ids.has(task.id)) continue;
    ids.add(task.id);
    byDomain.set(task.domain, [...(byDomain.get(task.domain) ?? []), task]);
  }
  const capacity = zeroCounts();
  for (const d of DOMAIN_ORDER) capacity[d] = byDomain.get(d)?.length ?? 0;
  const counts = apportion(count, capacity);
  const chosen = DOMAIN_ORDER.flatMap((d) => spreadByCompetency(byDomain.get(d) ?? [], counts[d], rng(subSeed(seed, `draw:${d}`))));
  const tasks = shuffle(chosen, rng(subSeed(seed, 'order')));
  const ideal = apportion(count, Object.fromEntries(DOMAIN_ORDER.map((d) => [d, count])) as DomainCounts);
  const short = DOMAIN_ORDER.filter((d) => counts[d] < ideal[d]);
  const draw: ExamDraw = { tasks, counts };
  if (tasks.length < count) {
    draw.shortfall = `The catalog has ${tasks.length} tasks, fewer than the ${count} asked for: all of them are drawn.`;
  } else if (short.length > 0) {
    draw.shortfall = `Too few tasks in ${short.map((d) => DOMAINS[d].title).join(', ')}: other domains make up the difference.`;
  }
  return draw;
}

export type DomainStanding = { domain: Domain; percent: number; attempts: number };

/**
 * Domains from weakest to strongest, by points won over the last `recent` attempts that included each
 * domain. Domains never attempted are left out: there is nothing to say about them yet. Attempts with checks
 * that could not be graded are left out too (see `fullyGraded`).
 */
export function weakestDomains(
  history: readonly { endedAt: number; domains: readonly DomainScore[]; report?: Parameters<typeof fullyGraded>[0]['report'] }[],
  recent = 5,
): DomainStanding[] {
  const newestFirst = history.filter(fullyGraded).sort((a, b) => b.endedAt - a.endedAt);
  const standings: DomainStanding[] = [];
  for (const domain of DOMAIN_ORDER) {
    const scores = newestFirst.flatMap((r) => r.domains.filter((d) => d.domain === domain)).slice(0, recent);
    const max = scores.reduce((s, d) => s + d.maxScore, 0);
    if (scores.length === 0 || max === 0) continue;
    standings.push({ domain, percent: (scores.reduce((s, d) => s + d.score, 0) / max) * 100, attempts: scores.length });
  }
  return standings.sort((a, b) => a.percent - b.percent || DOMAINS[b.domain].weight - DOMAINS[a.domain].weight);
}

export type CompetencyStanding = { competency: Competency; domain: Domain; percent: number; attempts: number };

/**
 * Points won per competency over its last `recent` tasks in history, weakest first. The competency of a task is
 * looked up in `catalog` by id (history records keep only the domain); tasks no longer in the catalog are left out.
 */
export function competencyStandings(
  history: readonly { endedAt: number; report: { tasks: readonly { id: string; score: number; maxScore: number; checks?: readonly { error?: string | undefined }[] }[] } }[],
  catalog: readonly Pick<Task, 'id' | 'competency'>[],
  recent = 5,
): CompetencyStanding[] {
  const competencyOf = new Map(catalog.map((t) => [t.id, t.competency]));
  const scores = new Map<Competency, { score: number; maxScore: number }[]>();
  for (const record of history.filter(fullyGraded).sort((a, b) => b.endedAt - a.endedAt)) {
    for (const t of record.report.tasks) {
      const c = competencyOf.get(t.id);
      if (c === undefined || t.maxScore === 0) continue;
      const list = scores.get(c) ?? [];
      if (list.length < recent) list.push(t);
      scores.set(c, list);
    }
  }
  const standings = [...scores].map(([competency, list]) => ({
    competency,
    domain: COMPETENCIES[competency].domain,
    percent: (list.reduce((s, t) => s + t.score, 0) / list.reduce((s, t) => s + t.maxScore, 0)) * 100,
    attempts: list.length,
  }));
  const order = Object.keys(COMPETENCIES);
  return standings.sort((a, b) => a.percent - b.percent || order.indexOf(a.competency) - order.indexOf(b.competency));
}

export type DrillChoice = { id: string } | { competency: string } | { domain: Domain } | { weakest: true } | { any: true };

/** The drill a command line asked for: a task id, else a competency, a domain, the weakest domain, or any task. */
export function drillChoice(options: { taskId?: string; competency?: string; domain?: Domain; weakest?: boolean }): DrillChoice {
  if (options.taskId) return { id: options.taskId };
  if (options.competency) return { competency: options.competency };
  if (options.domain) return { domain: options.domain };
  return options.weakest ? { weakest: true } : { any: true };
}

export type DrillPick = { ok: true; task: Task; why: string } | { ok: false; message: string };

/** The task a drill starts with. `history` is needed only for `weakest`. */
export function pickDrillTask(
  catalog: readonly Task[],
  choice: DrillChoice,
  seed: number,
  history: readonly { endedAt: number; domains: readonly DomainScore[] }[] = [],
  /** A task not to pick again (the one just drilled), unless it is the only choice. */
  avoid?: string,
): DrillPick {
  const next = rng(subSeed(seed, 'drill'));
  const pickFrom = (tasks: readonly Task[]): Task => pick(next, tasks.length > 1 ? tasks.filter((t) => t.id !== avoid) : tasks);
  if ('id' in choice) {
    const task = catalog.find((t) => t.id === choice.id);
    if (task) return { ok: true, task, why: `task ${task.id}` };
    const near = catalog.filter((t) => t.id.includes(choice.id) || choice.id.includes(t.id)).map((t) => t.id);
    return {
      ok: false,
      message: `No task "${choice.id}" in the catalog.${near.length ? ` Did you mean ${near.slice(0, 3).join(', ')}?` : ''} List them with: ckad-lab tasks`,
    };
  }
  if ('competency' in choice) {
    const name = choice.competency;
    if (!Object.hasOwn(COMPETENCIES, name)) return { ok: false, message: `No competency "${name}". ${suggestCompetency(name)}` };
    const competency = name as Competency;
    const matching = catalog.filter((t) => t.competency === competency);
    if (matching.length === 0) return { ok: false, message: `The catalog has no task for ${COMPETENCIES[competency].title} (${competency}).` };
    return { ok: true, task: pickFrom(matching), why: `${COMPETENCIES[competency].title} (${competency})` };
  }
  if ('domain' in choice) {
    const inDomain = catalog.filter((t) => t.domain === choice.domain);
    if (inDomain.length === 0) return { ok: false, message: `The catalog has no task in ${DOMAINS[choice.domain].title} (${choice.domain}).` };
    return { ok: true, task: pickFrom(inDomain), why: DOMAINS[choice.domain].title };
  }
  if ('weakest' in choice) {
    const standings = weakestDomains(history);
    if (standings.length === 0) {
      return { ok: false, message: 'Nothing in history yet (a finished exam or a checked drill), so there is no weakest domain. Take an exam with `ckad-lab exam`, or drill a domain: `ckad-lab drill --domain D`.' };
    }
    for (const s of standings) {
      const inDomain = catalog.filter((t) => t.domain === s.domain);
      if (inDomain.length > 0) {
        return { ok: true, task: pickFrom(inDomain), why: `weakest domain: ${DOMAINS[s.domain].title} (${Math.round(s.percent)}% over ${s.attempts} attempt${s.attempts === 1 ? '' : 's'})` };
      }
    }
    return { ok: false, message: 'The catalog has no task in any domain you have a score for.' };
  }
  if (catalog.length === 0) return { ok: false, message: 'The task catalog is empty.' };
  return { ok: true, task: pickFrom(catalog), why: 'a random task' };
}
