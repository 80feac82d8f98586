// `tasks verify`: every task proves itself on the real cluster. A task that fails any phase is a bug in it.
//   setup -> grade must give 0 points (no free points)
//   reference solution with real kubectl -> 100%
//   each known-wrong solution, from a fresh setup -> below 100%
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { removeNamespaces } from '../../sandbox/sandbox.ts';
import { removeTaskClusterObjects } from '../../sandbox/cluster-objects.ts';
import type { GradeReport } from '../../graders/result.ts';
import type { Task } from '../../tasks/schema.ts';
import { checkErrorText } from '../report/summary.ts';
import { gradeRecords, renderEntry, runScript, setupRecord, setupTask, type RunnerContext } from './runner.ts';

export type VerifyPhase = { name: string; ok: boolean; score?: number; maxScore?: number; detail?: string };
export type VerifyResult = { id: string; ok: boolean; phases: VerifyPhase[]; seconds: number };

/** How long settling checks may poll after a solution ran. Sandbox pods settle in about a second. */
const SETTLE_MS = 20_000;

export async function verifyTasks(ctx: RunnerContext, tasks: readonly Task[], opts: { concurrency: number; onResult?: ((r: VerifyResult) => void) | undefined }): Promise<VerifyResult[]> {
  const results: VerifyResult[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      const result = await verifyTask(ctx, tasks[index] as Task);
      results[index] = result;
      opts.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, tasks.length) }, worker));
  return results;
}

export async function verifyTask(ctx: RunnerContext, task: Task, prefix = `verify-${randomBytes(2).toString('hex')}`): Promise<VerifyResult> {
  const started = Date.now();
  const phases: VerifyPhase[] = [];
  const entry = { id: task.id, seed: 0, prefix };
  const grade = async (waitMs: number): Promise<GradeReport> => gradeRecords(ctx.kube, [await setupRecord(ctx.kube, task, entry, ctx.workRoot)], ctx.workRoot, waitMs);
  const failures = (report: GradeReport) =>
    report.tasks
      .flatMap((t) => t.checks)
      .filter((c) => !c.passed)
      .map((c) => `${c.name}: ${c.error ? checkErrorText(c.error) : `${c.path ?? ''} expected ${c.expected ?? '?'}, got ${c.actual ?? '?'}`}`)
      .join('; ');
  try {
    let prepared = await setupTask(ctx, task, entry);
    const untouched = await grade(0);
    const free = untouched.tasks.flatMap((t) => t.checks).filter((c) => c.passed || c.error);
    phases.push({ name: 'untouched setup gives 0', ok: untouched.score === 0 && free.length === 0, score: untouched.score, maxScore: untouched.maxScore, ...(free.length ? { detail: `passes on the untouched setup: ${free.map((c) => c.error ? `${c.name} (error: ${c.error})` : c.name).join(', ')} (a check that holds before the candidate acts needs \`requires: [...]\` naming the checks of the work it guards)` } : {}) });

    const run = await runScript(ctx, prepared.solution, prepared.values.workdir as string, 120_000);
    if (run.code !== 0) {
      phases.push({ name: 'reference solution gives 100%', ok: false, detail: `the solution exited ${run.code}${run.timedOut ? ' (timed out)' : ''}: ${tail(run.output)}` });
    } else {
      const solved = await grade(SETTLE_MS);
      phases.push({ name: 'reference solution gives 100%', ok: solved.score === solved.maxScore, score: solved.score, maxScore: solved.maxScore, ...(solved.score < solved.maxScore ? { detail: failures(solved) } : {}) });
    }

    for (const wrong of renderEntry(task, entry, ctx.workRoot).task.wrongSolutions) {
      prepared = await setupTask(ctx, task, entry);
      const wrongRun = await runScript(ctx, wrong.script, prepared.values.workdir as string, 120_000);
      const graded = await grade(SETTLE_MS / 2);
      phases.push({ name: `wrong "${wrong.name}" gives < 100%`, ok: graded.score < graded.maxScore, score: graded.score, maxScore: graded.maxScore, ...(graded.score >= graded.maxScore ? { detail: `full marks for a wrong solution${wrongRun.code !== 0 ? ` (its script exited ${wrongRun.code}: ${tail(wrongRun.output)})` : ''}` } : {}) });
    }
  } catch (error) {
    phases.push({ name: 'runs', ok: false, detail: (error as Error).message });
  } finally {
    const { task: rendered, values } = renderEntry(task, entry, ctx.workRoot);
    await removeNamespaces(ctx.kube, Object.keys(task.namespaces).map((k) => values[k] as string)).catch(() => {});
    await removeTaskClusterObjects(ctx.kube, rendered, { task: task.id, prefix: entry.prefix }).catch(() => {});
    await rm(values.workdir as string, { recursive: true, force: true });
  }
  return { id: task.id, ok: phases.every((p) => p.ok), phases, seconds: (Date.now() - started) / 1000 };
}

const tail = (output: string) => output.trim().split('\n').slice(-4).join(' | ');

export function formatVerifyTable(results: readonly VerifyResult[]): string {
  const width = Math.max(4, ...results.map((r) => r.id.length));
  const lines = [`${'task'.padEnd(width)}  result  phases`];
  for (const r of results) {
    const summary = r.phases.map((p) => `${p.ok ? '✓' : '✗'} ${p.name}${p.score !== undefined ? ` (${p.score}/${p.maxScore})` : ''}`).join('; ');
    lines.push(`${r.id.padEnd(width)}  ${r.ok ? 'ok    ' : 'FAIL  '}  ${summary}`);
    for (const p of r.phases.filter((p) => !p.ok && p.detail)) lines.push(`${' '.repeat(width)}          ${p.name}: ${p.detail}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  lines.push('', `${results.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}
