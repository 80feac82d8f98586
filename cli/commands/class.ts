// `ckad-lab class create|watch|grade|extend|end|delete`: a bootcamp class on one cluster (cli/class/).
import { dirname, join, resolve } from 'node:path';
import { randomInt } from 'node:crypto';
import { UserError } from '../../sandbox/errors.ts';
import type { Task } from '../../tasks/schema.ts';
import { CLUSTER_OPTIONS, intOption, parse } from '../args.ts';
import { drawExam } from '../exam/draw.ts';
import { catalog, findTasks, openLab } from '../lab/open.ts';
import { sandboxProgressPrinter } from '../progress.ts';
import { writeOutputFile } from '../report/export.ts';
import { toJUnit } from '../report/junit.ts';
import { candidateTasks, readClass } from '../class/cluster.ts';
import { createClass } from '../class/create.ts';
import { endClass, extendCandidate } from '../class/credentials.ts';
import { deleteClass } from '../class/delete.ts';
import { listClasses, renderClassList } from '../class/list.ts';
import { unsupportedInClass } from '../class/rights.ts';
import { gradeClass } from '../class/grade.ts';
import { renderClassHtml } from '../class/html.ts';
import { candidateDeadline, candidateSeeds, parseCandidates, validateClassName } from '../class/record.ts';
import { renderClassCsv, renderClassText, type ClassReport } from '../class/report.ts';
import { renderWatch } from '../class/watch.ts';

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

export const CLASS_USAGE = `Usage: ckad-lab class COMMAND NAME [options]

  list [--json]                                  the classes on the cluster: size, window, open or ended
  create NAME --candidates a,b,c | --roster FILE  [--tasks ID,ID | --exam N] [--seed S] [--vary]
              [--minutes M] [--out DIR]          set the tasks up for every candidate, write DIR/<candidate>.kubeconfig
  watch NAME [--interval SECONDS] [--once]       candidates × tasks, re-graded read-only every 30 s
  grade NAME [--json] [--csv FILE] [--junit DIR] [--html FILE] [--wait SECONDS]
  extend NAME CANDIDATE --minutes M [--out DIR]  more time for one candidate (a new kubeconfig)
  end NAME                                       every candidate's credentials stop working now
  delete NAME                                    remove everything the class created

Every command takes --context NAME (and --allow-context NAME to change a cluster ckad-lab did not create).
`;

export async function classCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(rest);
    case 'create':
      return create(rest);
    case 'watch':
      return watch(rest);
    case 'grade':
      return grade(rest);
    case 'extend':
      return extend(rest);
    case 'end':
      return end(rest);
    case 'delete':
      return remove(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      out(CLASS_USAGE);
      return sub === undefined ? 2 : 0;
    default:
      throw new UserError(`ckad-lab class: unknown command "${sub}".`, { hint: CLASS_USAGE, exitCode: 2 });
  }
}

function oneName(command: string, positionals: string[], usage: string, extra = 0): string {
  if (positionals.length !== 1 + extra) throw new UserError(`ckad-lab class ${command}: expected ${extra ? 'a class name and a candidate' : 'one class name'}, got ${positionals.length ? positionals.map((p) => `"${p}"`).join(' ') : 'none'}.`, { hint: `Usage: ${usage}`, exitCode: 2 });
  return validateClassName(positionals[0], command);
}

async function list(argv: string[]): Promise<number> {
  const usage = 'ckad-lab class list [--json]';
  const { values } = parse('class list', argv, { json: { type: 'boolean' }, ...CLUSTER_OPTIONS }, usage);
  // Listing only reads: any context, no --allow-context needed.
  const lab = await openLab(values);
  const now = Date.now();
  const classes = await listClasses(lab.kube, now);
  out(values.json ? JSON.stringify(classes, null, 2) + '\n' : renderClassList(classes, lab.kube.context, now));
  return 0;
}

async function create(argv: string[]): Promise<number> {
  const usage = 'ckad-lab class create NAME --candidates a,b | --roster FILE [--tasks IDS | --exam N] [--seed S] [--vary] [--minutes M] [--out DIR]';
  const { values, positionals } = parse(
    'class create',
    argv,
    {
      candidates: { type: 'string' },
      roster: { type: 'string' },
      tasks: { type: 'string' },
      exam: { type: 'string' },
      seed: { type: 'string' },
      vary: { type: 'boolean' },
      minutes: { type: 'string' },
      out: { type: 'string' },
      concurrency: { type: 'string' },
      ...CLUSTER_OPTIONS,
    },
    usage,
    { positionals: 1 },
  );
  const name = oneName('create', positionals, usage);
  const candidates = parseCandidates(values.candidates, values.roster);
  if (values.tasks !== undefined && values.exam !== undefined) throw new UserError('ckad-lab class create: give --tasks or --exam, not both.', { hint: `Usage: ${usage}`, exitCode: 2 });
  const seed = intOption('class create', 'seed', values.seed, 1) ?? randomInt(1, 2 ** 31 - 1);
  if (seed > 2 ** 31 - 1) throw new UserError(`ckad-lab class create: --seed must be at most ${2 ** 31 - 1}.`, { exitCode: 2 });
  const minutes = intOption('class create', 'minutes', values.minutes, 10) ?? 120;
  const all = await catalog();
  let tasks: Task[];
  if (values.tasks !== undefined) {
    tasks = findTasks(all, values.tasks.split(',').map((t) => t.trim()).filter(Boolean));
    if (tasks.length === 0) throw new UserError('ckad-lab class create: --tasks names no task.', { exitCode: 2 });
    if (new Set(tasks.map((t) => t.id)).size !== tasks.length) throw new UserError('ckad-lab class create: --tasks names a task twice.', { exitCode: 2 });
  } else {
    const count = intOption('class create', 'exam', values.exam, 1) ?? 16;
    // One task per namespace name: two tasks sharing one cannot be set up side by side.
    const seen = new Set<string>();
    const pool = [...all]
      .sort((a, b) => a.id.localeCompare(b.id))
      .filter((t) => unsupportedInClass(t) === undefined)
      .filter((t) => {
        const names = Object.values(t.namespaces);
        if (names.some((n) => seen.has(n))) return false;
        for (const n of names) seen.add(n);
        return true;
      });
    const draw = drawExam(pool, count, seed);
    if (draw.shortfall) err(`note: ${draw.shortfall}\n`);
    tasks = draw.tasks;
  }
  const outDir = resolve(values.out ?? `class-${name}`);
  const lab = await openLab(values, { ensureSandbox: values.context === undefined, onProgress: sandboxProgressPrinter() });
  const started = Date.now();
  const created = await createClass(lab.runner, {
    name,
    candidates,
    tasks,
    seeds: candidateSeeds(candidates, seed, values.vary === true),
    minutes,
    outDir,
    ...(values.concurrency !== undefined ? { concurrency: intOption('class create', 'concurrency', values.concurrency, 1) } : {}),
    onProgress: (line) => err(`${line}\n`),
  });
  for (const w of created.warnings) err(`warning: ${w}\n`);
  const { record } = created;
  out(
    `Class ${name}: ${candidates.length} candidates × ${tasks.length} tasks set up in ${((Date.now() - started) / 1000).toFixed(1)} s on context "${lab.kube.context}".\n` +
      `Seed ${seed}${values.vary ? ' (varied per candidate)' : ''}. Window: ${new Date(record.startsAt).toISOString()} to ${new Date(record.endsAt).toISOString()} (${minutes} min).\n` +
      `Tasks: ${tasks.map((t) => t.id).join(', ')}\n\nKubeconfigs (hand each candidate their own; they expire with the window):\n` +
      [...created.kubeconfigs.entries()].map(([c, f]) => `  ${c.padEnd(20)} ${f}`).join('\n') +
      `\n\nA candidate starts with:  ckad-lab join ${join(outDir, `${candidates[0]}.kubeconfig`)}\n` +
      `Watch:  ckad-lab class watch ${name}    Grade:  ckad-lab class grade ${name} --html report.html\n`,
  );
  return 0;
}

async function grade(argv: string[]): Promise<number> {
  const usage = 'ckad-lab class grade NAME [--json] [--csv FILE] [--junit DIR] [--html FILE] [--wait SECONDS]';
  const { values, positionals } = parse('class grade', argv, { json: { type: 'boolean' }, csv: { type: 'string' }, junit: { type: 'string' }, html: { type: 'string' }, wait: { type: 'string' }, ...CLUSTER_OPTIONS }, usage, { positionals: 1 });
  const name = oneName('grade', positionals, usage);
  const waitMs = (intOption('class grade', 'wait', values.wait) ?? 2) * 1000;
  // Grading only reads: any context, no --allow-context needed.
  const lab = await openLab(values);
  const record = await readClass(lab.kube, name);
  const all = await catalog();
  const report = await gradeClass(lab.kube, record, all, lab.runner.workRoot, { waitMs });
  // Output files follow the one rule of every command (cli/report/export.ts writeOutputFile).
  if (values.csv) writeOutputFile('class grade', 'csv', values.csv, renderClassCsv(report));
  if (values.html) writeOutputFile('class grade', 'html', values.html, renderClassHtml(report));
  if (values.junit) {
    for (const c of report.candidates) {
      const candidate = record.candidates.find((x) => x.name === c.name);
      if (!candidate) continue;
      const meta = candidateTasks(record, candidate, all, lab.runner.workRoot);
      writeOutputFile('class grade', 'junit', join(values.junit, `${c.name}.xml`), toJUnit({ score: c.score, maxScore: c.maxScore, percent: c.percent, tasks: c.tasks }, meta, { name: `ckad-lab class ${name}: ${c.name}`, timestamp: report.gradedAt }));
    }
  }
  out(values.json ? JSON.stringify(report, null, 2) + '\n' : renderClassText(report));
  return report.candidates.some((c) => c.ungraded > 0) ? 3 : 0;
}

async function watch(argv: string[]): Promise<number> {
  const usage = 'ckad-lab class watch NAME [--interval SECONDS] [--once]';
  const { values, positionals } = parse('class watch', argv, { interval: { type: 'string' }, once: { type: 'boolean' }, ...CLUSTER_OPTIONS }, usage, { positionals: 1 });
  const name = oneName('watch', positionals, usage);
  const intervalMs = (intOption('class watch', 'interval', values.interval, 1) ?? 30) * 1000;
  const lab = await openLab(values);
  const all = await catalog();
  const snapshot = async () => {
    const started = Date.now();
    const record = await readClass(lab.kube, name);
    const report: ClassReport = await gradeClass(lab.kube, record, all, lab.runner.workRoot, { waitMs: 0 });
    return { report, deadlines: new Map(record.candidates.map((c) => [c.name, candidateDeadline(record, c)])), tookMs: Date.now() - started };
  };
  if (process.stdout.isTTY === true && process.stdin.isTTY === true && !process.env.CI && !values.once) {
    // The live grid; Ink is loaded only here.
    const first = await snapshot(); // errors (no such class) surface before the screen opens
    let pending: typeof first | undefined = first;
    return (await import('../class/watch-ui.ts')).runWatchUi(name, intervalMs, async () => {
      const s = pending ?? (await snapshot());
      pending = undefined;
      return s;
    });
  }
  const s = await snapshot();
  out(renderWatch(s.report, s.deadlines, { now: Date.now(), tookMs: s.tookMs }));
  return 0;
}

async function extend(argv: string[]): Promise<number> {
  const usage = 'ckad-lab class extend NAME CANDIDATE --minutes M [--out DIR]';
  const { values, positionals } = parse('class extend', argv, { minutes: { type: 'string' }, out: { type: 'string' }, ...CLUSTER_OPTIONS }, usage, { positionals: 2 });
  const name = oneName('extend', positionals, usage, 1);
  const minutes = intOption('class extend', 'minutes', values.minutes, 1);
  if (minutes === undefined) throw new UserError('ckad-lab class extend: how much more time? Give --minutes M.', { hint: `Usage: ${usage}`, exitCode: 2 });
  const lab = await openLab(values);
  const outDir = resolve(values.out ?? `class-${name}`);
  const result = await extendCandidate(lab.runner, name, positionals[1] as string, minutes, outDir);
  if (result.warning) err(`warning: ${result.warning}\n`);
  out(`${positionals[1]} of class ${name} now has until ${new Date(result.until).toISOString()}. Her new kubeconfig: ${result.file}\n(Her old one keeps working until it expires; nobody else's time changed.)\n`);
  return 0;
}

async function end(argv: string[]): Promise<number> {
  const usage = 'ckad-lab class end NAME';
  const { values, positionals } = parse('class end', argv, { ...CLUSTER_OPTIONS }, usage, { positionals: 1 });
  const name = oneName('end', positionals, usage);
  const lab = await openLab(values);
  const record = await endClass(lab.kube, name);
  out(`Class ${name} ended at ${new Date(record.endedAt ?? Date.now()).toISOString()}: the credentials of all ${record.candidates.length} candidates stopped working.\nGrade it:  ckad-lab class grade ${name}\n`);
  return 0;
}

async function remove(argv: string[]): Promise<number> {
  const usage = 'ckad-lab class delete NAME';
  const { values, positionals } = parse('class delete', argv, { ...CLUSTER_OPTIONS }, usage, { positionals: 1 });
  const name = oneName('delete', positionals, usage);
  const lab = await openLab(values);
  const { deleted, kept } = await deleteClass(lab.kube, name);
  out(`Class ${name} deleted: ${deleted.filter((d) => d.startsWith('Namespace/')).length} namespaces and ${deleted.filter((d) => !d.startsWith('Namespace/')).length} cluster-wide objects.\n`);
  for (const node of kept) err(`warning: kept node ${node}\n`);
  return 0;
}

/**
 * `ckad-lab join FILE.kubeconfig [--env]`: a candidate's tasks and deadline, read with her own credentials. On a
 * terminal, the exam console (no grading: the instructor grades); otherwise the same as plain text.
 */
export async function joinCommand(argv: string[]): Promise<number> {
  const usage = 'ckad-lab join FILE.kubeconfig [--env]';
  const { values, positionals } = parse('join', argv, { env: { type: 'boolean' } }, usage, { positionals: 1 });
  if (positionals.length !== 1) throw new UserError('ckad-lab join: give the kubeconfig your instructor handed you.', { hint: `Usage: ${usage}`, exitCode: 2 });
  const { joinClass, joinRules, joinSession, joinStateDir } = await import('../class/join.ts');
  const { workDir } = await import('../../sandbox/paths.ts');
  const { knownBinaries } = await import('../lab/open.ts');
  const { loadConfig } = await import('../config.ts');
  const { sandboxEnvVars, shellQuote } = await import('../../sandbox/sandbox.ts');
  const joined = await joinClass(positionals[0] as string, await catalog(), workDir());
  const binaries = await knownBinaries(loadConfig()).catch(() => undefined);
  // `sandbox env`'s lines (kubectl and helm first on PATH, Helm's home with the `lab` repository), with her kubeconfig.
  const { pathDirs, ...vars } = binaries ? sandboxEnvVars(binaries) : { pathDirs: [] as string[] };
  const env =
    Object.entries({ ...vars, KUBECONFIG: joined.file })
      .map(([k, v]) => `export ${k}=${shellQuote(String(v))}\n`)
      .join('') + (pathDirs.length ? `export PATH=${pathDirs.map(shellQuote).join(':')}:"$PATH"\n` : '');
  if (values.env) {
    out(env);
    return 0;
  }
  const { record, tasks } = joined;
  const now = Date.now();
  const { isInteractive } = await import('./interactive.ts');
  if (isInteractive() && record.endsAt > now) {
    const [{ stateDir }, { ExamStore }] = await Promise.all([import('../../sandbox/paths.ts'), import('../exam/store.ts')]);
    const dir = joinStateDir(stateDir(), record);
    const opened = joinSession(new ExamStore(dir), joined, now);
    if (!opened.ok) {
      err(`${opened.message}\n`);
      return 0;
    }
    const file = positionals[0] as string;
    const { runJoin } = await import('../ui/index.ts');
    return runJoin(opened.session, joinRules(record, file, joined.kube), `export KUBECONFIG=${shellQuote(joined.file)}`, { stateDir: dir, interactive: true });
  }
  const { timeLeft } = await import('../class/watch.ts');
  const left = timeLeft(record.endsAt, now);
  const text =
    `Class ${record.class} · candidate ${record.candidate} · ${tasks.length} tasks · ${left === 'ended' ? 'time is up' : `${left} left`} (until ${new Date(record.endsAt).toISOString()})\n` +
      `Your work is graded by the instructor after the window; there is no grading here, as on the exam.\n\n` +
      `Point kubectl at your namespaces (in your shell):\n  eval "$(ckad-lab join ${shellQuote(positionals[0] as string)} --env)"\n` +
    tasks.map((t, i) => `\n== Task ${i + 1} of ${tasks.length}: ${t.title}  (${t.points} points, about ${t.minutes} min)\nNamespace: ${t.namespace}\n\n${t.instructions}\n`).join('');
  out(text);
  return left === 'ended' ? 3 : 0;
}
