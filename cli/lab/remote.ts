// LabServices for the exam console, answered by the lab worker (worker.ts) in a child process. Imports no
// cluster client: the console process stays small, and it draws while the worker works.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { GradeReport } from '../../graders/result.ts';
import type { Task } from '../../tasks/schema.ts';
import { sandboxPaths, userKubeconfigPaths } from '../../sandbox/paths.ts';
import type { LabServices, OnProgress, PreparedTask, Progress, SandboxStatus, TaskEntry } from '../exam/services.ts';
import type { ClusterFlags } from './context.ts';
import type { Reply, Request } from './worker.ts';
import { trace } from '../trace.ts';

/** `held`: whether the console waits for the answer before it may exit. */
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress: OnProgress | undefined; held: boolean };

/**
 * `prepareSandbox`: ask the worker to ensure the sandbox at once, in parallel with the console loading Ink and
 * drawing the exam; the screen's own `ensureSandbox` call then joins that request and shows its progress.
 */
export function remoteLabServices(flags: ClusterFlags, stateDir: string, options: { prepareSandbox?: boolean } = {}): LabServices {
  // Started at once: it loads the cluster client while the console loads Ink.
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(process.execPath, [join(import.meta.dirname, 'worker.ts'), JSON.stringify(flags), stateDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  trace('console', 'lab worker spawned');
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let stderr = '';
  let exited: Error | undefined;

  // Hold the console's event loop only while an answer is awaited, so it can exit when it is done.
  const hold = () => {
    const ref = [...pending.values()].some((p) => p.held);
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as { ref(): void; unref(): void }[]) ref ? handle.ref() : handle.unref();
  };
  hold();

  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as Reply;
    const call = pending.get(reply.id);
    if (!call) return;
    if (reply.progress !== undefined) return call.onProgress?.(reply.progress as Progress);
    pending.delete(reply.id);
    hold();
    if (reply.error !== undefined) call.reject(new Error(reply.error));
    else call.resolve(reply.result);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`The lab worker stopped (${signal ?? `exit ${code}`})${stderr.trim() ? `:\n${stderr.trim().split('\n').slice(-6).join('\n')}` : ''}`);
    for (const call of pending.values()) call.reject(exited);
    pending.clear();
  });

  function ask<T>(method: Request['method'], args: unknown[], onProgress: OnProgress | undefined, held: boolean): { id: number; answer: Promise<T> } {
    const id = nextId++;
    if (exited) return { id, answer: Promise.reject(exited) };
    const answer = new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress, held });
      hold();
      trace('console', `${method} asked`);
      child.stdin.write(`${JSON.stringify({ id, method, args } satisfies Request)}\n`);
    });
    return { id, answer };
  }
  const call = <T>(method: Request['method'], args: unknown[] = [], onProgress?: OnProgress): Promise<T> => ask<T>(method, args, onProgress, true).answer;

  // The sandbox preparation asked for at start-up is handed to the first screen that asks, which gets its
  // progress from then on (the latest step at once); every later call asks the worker again. Until a screen
  // takes it, the console does not wait for it: one that exits early (an exam already in progress) exits.
  let early: { id: number; done: Promise<void>; follow: (onProgress: OnProgress) => void } | undefined;
  if (options.prepareSandbox) {
    let listener: OnProgress | undefined;
    let last: Progress | undefined;
    const { id, answer } = ask<void>('ensureSandbox', [], (p) => ((last = p), listener?.(p)), false);
    answer.catch(() => {
      // Reported to the screen that takes it over.
    });
    early = { id, done: answer, follow: (onProgress) => ((listener = onProgress), last && onProgress(last)) };
  }
  const ensureSandbox = (onProgress: OnProgress): Promise<void> => {
    const taken = early;
    early = undefined;
    if (!taken) return call<void>('ensureSandbox', [], onProgress);
    const entry = pending.get(taken.id);
    if (entry) {
      entry.held = true;
      hold();
    }
    taken.follow(onProgress);
    return taken.done;
  };

  // The catalog is read here (YAML and zod, no cluster client): drawing an exam must not wait for the worker.
  let catalog: Promise<Task[]> | undefined;
  const tasks = () => (catalog ??= import('./catalog.ts').then((m) => m.catalog()));
  return {
    tasks,
    kubeconfigEnv: () => `export KUBECONFIG=${flags.context !== undefined ? userKubeconfigPaths().join(':') : sandboxPaths().kubeconfig}`,
    sandboxStatus: () => call<SandboxStatus>('sandboxStatus'),
    ensureSandbox,
    // The console has read the catalog to draw the tasks: their definitions go along, so the worker need not
    // read it before setting them up (it does so afterwards, for grading).
    setupTasks: async (entries: readonly TaskEntry[], onProgress) => {
      const byId = new Map((await tasks()).map((t) => [t.id, t]));
      const definitions = entries.map((e) => byId.get(e.id));
      return call<PreparedTask[]>('setupTasks', definitions.every((d) => d !== undefined) ? [entries, definitions] : [entries], onProgress);
    },
    grade: (tasks: readonly PreparedTask[], options = {}) => call<GradeReport>('grade', [tasks, options]),
    resetTask: (task: PreparedTask) => call<PreparedTask>('resetTask', [task]),
  };
}
