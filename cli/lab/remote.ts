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

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress: OnProgress | undefined };

export function remoteLabServices(flags: ClusterFlags, stateDir: string): LabServices {
  // Started at once: it loads the cluster client while the console loads Ink.
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(process.execPath, [join(import.meta.dirname, 'worker.ts'), JSON.stringify(flags), stateDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let stderr = '';
  let exited: Error | undefined;

  // Hold the console's event loop only while an answer is awaited, so it can exit when it is done.
  const hold = () => {
    const ref = pending.size > 0;
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

  function call<T>(method: Request['method'], args: unknown[] = [], onProgress?: OnProgress): Promise<T> {
    if (exited) return Promise.reject(exited);
    return new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      hold();
      child.stdin.write(`${JSON.stringify({ id, method, args } satisfies Request)}\n`);
    });
  }

  // The catalog is read here (YAML and zod, no cluster client): drawing an exam must not wait for the worker.
  let catalog: Promise<Task[]> | undefined;
  return {
    tasks: () => (catalog ??= import('./catalog.ts').then((m) => m.catalog())),
    kubeconfigEnv: () => `export KUBECONFIG=${flags.context !== undefined ? userKubeconfigPaths().join(':') : sandboxPaths().kubeconfig}`,
    sandboxStatus: () => call<SandboxStatus>('sandboxStatus'),
    ensureSandbox: (onProgress) => call<void>('ensureSandbox', [], onProgress),
    setupTasks: (entries: readonly TaskEntry[], onProgress) => call<PreparedTask[]>('setupTasks', [entries], onProgress),
    grade: (tasks: readonly PreparedTask[]) => call<GradeReport>('grade', [tasks]),
    resetTask: (task: PreparedTask) => call<PreparedTask>('resetTask', [task]),
  };
}
