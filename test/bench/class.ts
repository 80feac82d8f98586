// `npm run bench -- class`: a class of 30 candidates × 16 tasks on the bench's own sandbox: create, one grading
// pass of all 480 tasks, one `class watch` refresh, and the sandbox's RSS with the class loaded.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BinaryPaths } from '../../sandbox/build.ts';

type Row = { measurement: string; runs: number; samples: number[]; unit: 'ms' | 's' | 'MB' | 'x'; target?: { op: '<=' | '>='; value: number; judge?: 'max' } };
export type BenchTools = {
  binaries: BinaryPaths;
  environment: string;
  table: (title: string, rows: Row[]) => void;
  time: (fn: () => Promise<unknown>) => Promise<number>;
  rssMb: (pids: number[]) => Promise<number>;
};

export async function benchClass({ binaries, environment, table, time, rssMb }: BenchTools): Promise<void> {
  const { sandboxUp, sandboxStatus, sandboxPaths } = await import('../../sandbox/sandbox.ts');
  const { connect } = await import('../../sandbox/kube.ts');
  const { catalog } = await import('../../cli/lab/catalog.ts');
  const { drawExam } = await import('../../cli/exam/draw.ts');
  const { readClass } = await import('../../cli/class/cluster.ts');
  const { createClass } = await import('../../cli/class/create.ts');
  const { deleteClass } = await import('../../cli/class/delete.ts');
  const { unsupportedInClass } = await import('../../cli/class/rights.ts');
  const { gradeClass } = await import('../../cli/class/grade.ts');
  const { candidateDeadline, candidateSeeds } = await import('../../cli/class/record.ts');
  const { renderWatch } = await import('../../cli/class/watch.ts');

  await sandboxUp({ binaries });
  const kube = connect({ sandboxKubeconfig: sandboxPaths().kubeconfig });
  const runner = { kube, workRoot: process.env.CKAD_LAB_WORKDIR as string, kubectlDir: dirname(binaries.kubectl), helmDir: dirname(binaries.helm) };
  const all = await catalog();
  const tasks = drawExam(all.filter((t) => unsupportedInClass(t) === undefined), 16, 1).tasks;
  const candidates = Array.from({ length: Number(process.env.CLASS_CANDIDATES ?? 30) }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
  const name = 'bench';
  const outDir = await mkdtemp(join(tmpdir(), 'ckad-lab-bench-class-'));

  const create = await time(() => createClass(runner, { name, candidates, tasks, seeds: candidateSeeds(candidates, 1, true), minutes: 120, outDir, ...(process.env.CLASS_CONCURRENCY ? { concurrency: Number(process.env.CLASS_CONCURRENCY) } : {}) }));
  const record = await readClass(kube, name);
  const grade: number[] = [];
  let points = '';
  for (let i = 0; i < 3; i++) {
    grade.push(
      await time(async () => {
        const report = await gradeClass(kube, record, all, runner.workRoot, { waitMs: 2_000 });
        points = `${report.candidates.reduce((s, c) => s + c.tasks.length, 0)} tasks graded`;
      }),
    );
  }
  const watch: number[] = [];
  for (let i = 0; i < 3; i++) {
    watch.push(
      await time(async () => {
        const current = await readClass(kube, name);
        const report = await gradeClass(kube, current, all, runner.workRoot, { waitMs: 0 });
        renderWatch(report, new Map(current.candidates.map((c) => [c.name, candidateDeadline(current, c)])), { now: Date.now(), tookMs: 0 });
      }),
    );
  }
  const status = await sandboxStatus();
  const rss = await rssMb(status.components.map((c) => c.pid).filter((p): p is number => p !== undefined));
  const remove = await time(() => deleteClass(kube, name));
  table(`A class of ${candidates.length} candidates × ${tasks.length} tasks (${points}; ${environment})`, [
    { measurement: `class create: ${candidates.length * tasks.length} task setups, rights, ${candidates.length} tokens and kubeconfigs`, runs: 1, samples: [create], unit: 's', target: { op: '<=', value: 60_000 } },
    { measurement: `class grade: one pass over ${candidates.length * tasks.length} tasks (settling checks wait <= 2 s)`, runs: grade.length, samples: grade, unit: 's', target: { op: '<=', value: 10_000 } },
    { measurement: `class watch: one refresh with ${candidates.length} candidates (grade without waiting, grid)`, runs: watch.length, samples: watch, unit: 's', target: { op: '<=', value: 2_000 } },
    { measurement: 'sandbox RSS with the class loaded', runs: 1, samples: [rss], unit: 'MB', target: { op: '<=', value: 2048 } },
    { measurement: 'class delete', runs: 1, samples: [remove], unit: 's' },
  ]);
}
