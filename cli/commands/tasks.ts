// `ckad-lab tasks list|lint|verify`, `setup`, `grade`, `solve`: the headless commands (no TTY needed).
import { resolve } from 'node:path';
import { formatError } from '../../tasks/load.ts';
import { lintCatalog, lintFiles } from '../../tasks/lint.ts';
import { COMPETENCIES, DOMAINS, isCompetency, suggestCompetency, taskPoints, type Competency, type Task } from '../../tasks/schema.ts';
import type { GradeReport } from '../../graders/result.ts';
import { UserError } from '../../sandbox/errors.ts';
import { CLUSTER_OPTIONS, domainOption, intOption, outputPath, parse, SEED_RANGE } from '../args.ts';
import { EXIT } from '../exit.ts';
import { catalog, findTasks, openLab } from '../lab/open.ts';
import { describeTask, gradeRecords, runScript, setupRecord, setupTask } from '../lab/runner.ts';
import { verifyTasks, formatVerifyTable } from '../lab/verify.ts';
import { sandboxProgressPrinter } from '../progress.ts';
import { workDir } from '../../sandbox/paths.ts';
import { writeOutputFile } from '../report/export.ts';
import { toJUnit } from '../report/junit.ts';
import { ungradedChecks } from '../../graders/result.ts';
import { checkLines } from '../report/text.ts';

const out = (s: string) => process.stdout.write(s);

export async function tasksCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return tasksList(rest);
    case 'lint':
      return tasksLint(rest);
    case 'verify':
      return tasksVerify(rest);
    default:
      throw new UserError(`ckad-lab tasks: ${sub ? `unknown command "${sub}"` : 'which command?'}`, { hint: 'ckad-lab tasks list [--json] | lint [PATH...] | verify [ID...] [--json]', exitCode: EXIT.refused });
  }
}

async function tasksList(argv: string[]): Promise<number> {
  const { values } = parse('tasks list', argv, { json: { type: 'boolean' }, domain: { type: 'string' }, competency: { type: 'string' } }, 'ckad-lab tasks list [--json] [--domain D] [--competency C]');
  const domain = domainOption('tasks list', values.domain);
  let tasks = await catalog();
  if (domain) tasks = tasks.filter((t) => t.domain === domain);
  if (values.competency) {
    if (!isCompetency(values.competency)) throw new UserError(`--competency ${values.competency}: no such competency.`, { hint: suggestCompetency(values.competency), exitCode: 2 });
    tasks = tasks.filter((t) => t.competency === values.competency);
  }
  if (values.json) {
    out(JSON.stringify(tasks.map((t) => ({ id: t.id, title: t.title, competency: t.competency, domain: t.domain, points: taskPoints(t), minutes: t.minutes, namespace: t.namespaces.ns })), null, 2) + '\n');
    return 0;
  }
  out(formatTaskList(tasks, !values.competency));
  return 0;
}

/**
 * The catalog by domain, then competency (curriculum order). `showEmpty`: a competency without tasks is listed
 * and says so (not when the listing was narrowed to one competency).
 */
export function formatTaskList(tasks: readonly Task[], showEmpty = true): string {
  const lines: string[] = [];
  const width = Math.max(0, ...tasks.map((t) => t.id.length));
  for (const domain of Object.keys(DOMAINS) as (keyof typeof DOMAINS)[]) {
    const inDomain = tasks.filter((t) => t.domain === domain);
    if (inDomain.length === 0) continue;
    lines.push('', `${DOMAINS[domain].title} (${DOMAINS[domain].weight}% of the exam)`);
    for (const competency of (Object.keys(COMPETENCIES) as Competency[]).filter((c) => COMPETENCIES[c].domain === domain)) {
      const inCompetency = inDomain.filter((t) => t.competency === competency);
      if (inCompetency.length === 0 && !showEmpty) continue;
      lines.push(`  ${competency}: ${COMPETENCIES[competency].title}${inCompetency.length === 0 ? '  (no task yet)' : ''}`);
      for (const t of inCompetency) lines.push(`    ${t.id.padEnd(width)}  ${String(taskPoints(t)).padStart(2)} pts  ${String(t.minutes).padStart(2)} min  ${t.title}`);
    }
  }
  const covered = new Set(tasks.map((t) => t.competency)).size;
  lines.push('', `${tasks.length} tasks, ${covered} of ${Object.keys(COMPETENCIES).length} competencies`, '');
  return lines.join('\n');
}

function tasksLint(argv: string[]): number {
  const { positionals } = parse('tasks lint', argv, {}, 'ckad-lab tasks lint [PATH...]', { positionals: Infinity });
  // Files given are linted together, so an id used twice across them is found.
  const problems = positionals.length === 0 ? lintCatalog() : lintFiles(positionals.map((p) => resolve(p)));
  for (const p of problems) out(formatError(p) + '\n');
  out(problems.length === 0 ? 'No problems found.\n' : `\n${problems.length} problem(s).\n`);
  return problems.length === 0 ? 0 : 1;
}

async function tasksVerify(argv: string[]): Promise<number> {
  const { values, positionals } = parse('tasks verify', argv, { json: { type: 'boolean' }, concurrency: { type: 'string' }, ...CLUSTER_OPTIONS }, 'ckad-lab tasks verify [ID...] [--json] [--concurrency N]', { positionals: Infinity });
  const concurrency = intOption('tasks verify', 'concurrency', values.concurrency, 1, 64) ?? 4;
  const all = (await catalog());
  const tasks = positionals.length ? findTasks(all, distinctIds('tasks verify', positionals)) : all;
  const lab = await openLab(values, { ensureSandbox: true, onProgress: sandboxProgressPrinter() });
  const results = await verifyTasks(lab.runner, tasks, {
    concurrency,
    onResult: values.json ? undefined : (r) => process.stderr.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.id}\n`),
  });
  if (values.json) out(JSON.stringify(results, null, 2) + '\n');
  else out('\n' + formatVerifyTable(results) + '\n');
  return results.every((r) => r.ok) ? 0 : 1;
}

const SEED_PREFIX_OPTIONS = { seed: { type: 'string' }, prefix: { type: 'string' } } as const;

/** Kubernetes' limit on a namespace name (a DNS label). */
const NAMESPACE_MAX = 63;

/**
 * `--seed` and `--prefix`, checked against the tasks they are for: the prefix must make valid namespace names
 * for every one of them (a DNS label of at most 63 characters), or the API server would refuse it halfway.
 */
function entryOptions(command: string, values: { seed?: string | undefined; prefix?: string | undefined }, tasks: readonly Task[]) {
  const prefix = values.prefix ?? '';
  if (prefix && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(prefix)) {
    throw new UserError(`ckad-lab ${command}: --prefix "${prefix}" is not usable in a namespace name.`, { hint: 'Use lowercase letters, digits and "-", e.g. --prefix alice.', exitCode: EXIT.refused });
  }
  const entry = { seed: intOption(command, 'seed', values.seed, SEED_RANGE) ?? 0, prefix };
  // The namespaces without a prefix; the prefix and its dash come in front of each.
  const longest = Math.max(0, ...tasks.flatMap((t) => Object.values(describeTask(t, { id: t.id, seed: entry.seed, prefix: '' }, workDir()).namespaces).map((ns) => ns.length)));
  const length = prefix ? prefix.length + 1 + longest : longest;
  if (length > NAMESPACE_MAX) {
    throw new UserError(`ckad-lab ${command}: --prefix "${prefix.length > 20 ? `${prefix.slice(0, 20)}…` : prefix}" (${prefix.length} characters) makes a namespace ${length} characters long; Kubernetes allows ${NAMESPACE_MAX}.`, {
      hint: `Use a prefix of at most ${Math.max(0, NAMESPACE_MAX - longest - 1)} characters for ${tasks.length === 1 ? 'this task' : 'these tasks'}, e.g. --prefix alice.`,
      exitCode: EXIT.refused,
    });
  }
  return entry;
}

/** Task ids as given, refusing one given twice (two set-ups of one task would race for its namespaces). */
function distinctIds(command: string, ids: readonly string[]): string[] {
  const twice = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (twice.length > 0) throw new UserError(`ckad-lab ${command}: ${twice.join(', ')} given more than once.`, { hint: 'Give each task id once.', exitCode: EXIT.refused });
  return [...ids];
}

export async function setupCommand(argv: string[]): Promise<number> {
  const usage = 'ckad-lab setup ID... [--seed N] [--prefix P] [--json] [--context NAME --allow-context NAME]';
  const { values, positionals } = parse('setup', argv, { json: { type: 'boolean' }, ...SEED_PREFIX_OPTIONS, ...CLUSTER_OPTIONS }, usage, { positionals: Infinity });
  if (positionals.length === 0) throw new UserError('ckad-lab setup: which task? Give one or more task ids.', { hint: `Usage: ${usage}\nList them with \`ckad-lab tasks list\`.`, exitCode: EXIT.refused });
  const tasks = findTasks((await catalog()), distinctIds('setup', positionals));
  const entry = entryOptions('setup', values, tasks);
  const lab = await openLab(values, { ensureSandbox: true, onProgress: sandboxProgressPrinter() });
  const prepared = await Promise.all(tasks.map((t) => setupTask(lab.runner, t, { id: t.id, ...entry })));
  if (values.json) {
    out(JSON.stringify(prepared, null, 2) + '\n');
    return 0;
  }
  for (const p of prepared) {
    out(`\n== ${p.id}: ${p.title}  (${p.points} points, about ${p.minutes} min)\nNamespace: ${p.namespace}\n\n${p.instructions}\n`);
    const bound = Object.entries(p.values).filter(([k]) => k !== 'workdir');
    out(`\nValues: ${bound.map(([k, v]) => `${k}=${v}`).join(', ')}\n`);
  }
  out(`\nPoint kubectl at the cluster:  export KUBECONFIG=${lab.kube.kubeconfigPath}\nGrade when done:  ckad-lab grade ${positionals.join(' ')}${entry.prefix ? ` --prefix ${entry.prefix}` : ''}\n`);
  return 0;
}

export async function gradeCommand(argv: string[]): Promise<number> {
  const usage = 'ckad-lab grade ID... [--prefix P] [--seed N] [--json] [--junit FILE] [--wait SECONDS] [--context NAME]';
  const { values, positionals } = parse('grade', argv, { json: { type: 'boolean' }, junit: { type: 'string' }, wait: { type: 'string' }, ...SEED_PREFIX_OPTIONS, ...CLUSTER_OPTIONS }, usage, { positionals: Infinity });
  if (positionals.length === 0) throw new UserError('ckad-lab grade: which task? Give one or more task ids.', { hint: `Usage: ${usage}`, exitCode: EXIT.refused });
  const junit = outputPath('grade', 'junit', values.junit);
  const tasks = findTasks((await catalog()), distinctIds('grade', positionals));
  const entry = entryOptions('grade', values, tasks);
  const waitMs = (intOption('grade', 'wait', values.wait, 0, 3600) ?? 10) * 1000;
  // Grading only reads, so it works on any context without --allow-context.
  const lab = await openLab(values);
  lab.kube.stopWaitingAfterNoAnswer();
  const records = await Promise.all(tasks.map((t) => setupRecord(lab.kube, t, { id: t.id, ...entry }, lab.runner.workRoot)));
  const report = await gradeRecords(lab.kube, records, lab.runner.workRoot, waitMs);
  const ungraded = ungradedChecks(report);
  // Printed first, so a file that cannot be written never costs the answer.
  if (values.json) out(JSON.stringify({ ...report, complete: ungraded === 0, ungraded }, null, 2) + '\n');
  else {
    out(formatReport(report, tasks));
    for (const r of records.filter((r) => !r.found && ungraded === 0)) process.stderr.write(`note: ${r.task.id} was not set up on ${lab.kube.context} (its namespace is missing); graded as if untouched.\n`);
  }
  if (junit) process.stderr.write(`${writeOutputFile('grade', 'junit', junit, toJUnit(report, records.map((r) => describeTask(r.task, r.entry, lab.runner.workRoot))))}\n`);
  return ungraded > 0 ? EXIT.couldNotGrade : EXIT.ok;
}

export function formatReport(report: GradeReport, tasks: readonly Task[]): string {
  const lines: string[] = [];
  for (const t of report.tasks) {
    const task = tasks.find((x) => x.id === t.id);
    lines.push(`\n${t.id}${task ? `: ${task.title}` : ''}  ${t.score}/${t.maxScore}`);
    for (const c of t.checks) lines.push(...checkLines(c, '  '));
  }
  const ungraded = ungradedChecks(report);
  lines.push(`\nScore: ${report.score}/${report.maxScore} (${report.percent}%)${ungraded > 0 ? ` — incomplete: ${ungraded} check${ungraded === 1 ? '' : 's'} could not be graded (see ERROR above); the score may be too low` : ''}\n`);
  return lines.join('\n');
}

export async function solveCommand(argv: string[]): Promise<number> {
  const usage = 'ckad-lab solve ID [--prefix P] [--seed N] [--context NAME --allow-context NAME]';
  const { values, positionals } = parse('solve', argv, { ...SEED_PREFIX_OPTIONS, ...CLUSTER_OPTIONS }, usage, { positionals: 1 });
  if (positionals.length !== 1) throw new UserError('ckad-lab solve: give exactly one task id.', { hint: `Usage: ${usage}`, exitCode: EXIT.refused });
  const [task] = findTasks((await catalog()), positionals) as [Task];
  const entry = entryOptions('solve', values, [task]);
  const lab = await openLab(values);
  lab.kube.assertMayMutate(`run the reference solution of ${task.id}`);
  const record = await setupRecord(lab.kube, task, { id: task.id, ...entry }, lab.runner.workRoot);
  if (!record.found) throw new UserError(`Task ${task.id} is not set up on ${lab.kube.context}.`, { hint: `Set it up first: ckad-lab setup ${task.id}` });
  const prepared = describeTask(task, record.entry, lab.runner.workRoot);
  process.stderr.write(`Running the reference solution of ${task.id} in ${prepared.values.workdir}:\n${prepared.solution.replace(/^/gm, '  $ ')}\n\n`);
  const result = await runScript(lab.runner, prepared.solution, prepared.values.workdir as string, 120_000);
  out(result.output);
  if (result.code !== 0) throw new UserError(`The reference solution of ${task.id} failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}).`, { hint: 'This is a bug in the task; please report it with the output above.' });
  return 0;
}
