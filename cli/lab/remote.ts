// LabServices for the exam console, answered by the lab worker (worker.ts) in a child process. Imports no
// cluster client: the console process stays small, and it draws while the worker works.
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Task } from '../../tasks/schema.ts';
import { sandboxPaths, userKubeconfigPaths } from '../../sandbox/paths.ts';
import type { LabServices, OnProgress, Progress, TaskEntry } from '../exam/services.ts';
import { fromWire, isReply, type Args, type Method, type RequestOf, type Result } from './channel.ts';
import type { ClusterFlags } from './open.ts';
import { trace } from '../trace.ts';

/** `held`: whether the console waits for the answer before it may exit. */
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress: OnProgress | undefined; held: boolean };

/**
 * `prepareSandbox`: ask the worker to ensure the sandbox at once, in parallel with the console loading Ink and
 * drawing the exam; the screen's own `ensureSandbox` call then joins that request and shows its progress.
 * `workerModule`: the worker to fork (tests); default ./worker.ts.
 */
export function remoteLabServices(flags: ClusterFlags, stateDir: string, options: { prepareSandbox?: boolean; workerModule?: string } = {}): LabServices {
  // Started at once: it loads the cluster client while the console loads Ink. Node's own flags are not passed
  // on (the compile cache travels in NODE_COMPILE_CACHE). Its stdout is not the channel: whatever a library
  // writes there is kept with stderr, for the message if the worker dies.
  const child: ChildProcess = fork(options.workerModule ?? join(import.meta.dirname, 'worker.ts'), [JSON.stringify(flags), stateDir], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
    execArgv: [],
  });
  trace('console', 'lab worker spawned');
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let output = '';
  let exited: Error | undefined;

  // Hold the console's event loop only while an answer is awaited, so it can exit when it is done.
  const hold = () => {
    const ref = [...pending.values()].some((p) => p.held);
    // The pipes are sockets ('pipe' stdio), which can be unref'd like the process and its channel.
    for (const handle of [child, child.channel, child.stdout as Socket | null, child.stderr as Socket | null]) {
      if (handle) ref ? handle.ref() : handle.unref();
    }
  };
  hold();

  const collect = (d: Buffer) => (output = (output + d).slice(-4000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.on('message', (message: unknown) => {
    // Only this channel's replies; anything else is not for us.
    if (!isReply(message)) return;
    const call = pending.get(message.id);
    if (!call) return;
    if (message.kind === 'progress') return call.onProgress?.(message.progress);
    pending.delete(message.id);
    hold();
    if (message.kind === 'error') call.reject(fromWire(message.error));
    else call.resolve(message.result);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`The lab worker stopped (${signal ?? `exit ${code}`})${output.trim() ? `:\n${output.trim().split('\n').slice(-6).join('\n')}` : ''}`);
    for (const call of pending.values()) call.reject(exited);
    pending.clear();
  });
  child.on('error', (error) => {
    exited ??= new Error(`The lab worker could not be started or reached: ${error.message}`);
  });

  function ask<M extends Method>(method: M, args: Args<M>, onProgress: OnProgress | undefined, held: boolean): { id: number; answer: Promise<Result<M>> } {
    const id = nextId++;
    if (exited) return { id, answer: Promise.reject(exited) };
    const answer = new Promise<Result<M>>((resolve, reject) => {
      // The worker answers with the result of this method's handler (channel.ts Handlers).
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress, held });
      hold();
      trace('console', `${method} asked`);
      const request: RequestOf<M> = { kind: 'request', id, method, args };
      child.send(request, (error) => {
        if (!error) return;
        pending.delete(id);
        hold();
        reject(exited ?? new Error(`The lab worker could not be reached: ${error.message}`));
      });
    });
    return { id, answer };
  }
  const call = <M extends Method>(method: M, args: Args<M>, onProgress?: OnProgress): Promise<Result<M>> => ask(method, args, onProgress, true).answer;

  // The sandbox preparation asked for at start-up is handed to the first screen that asks, which gets its
  // progress from then on (the latest step at once); every later call asks the worker again. Until a screen
  // takes it, the console does not wait for it: one that exits early (an exam already in progress) exits.
  let early: { id: number; done: Promise<void>; follow: (onProgress: OnProgress) => void } | undefined;
  if (options.prepareSandbox) {
    let listener: OnProgress | undefined;
    let last: Progress | undefined;
    const { id, answer } = ask('ensureSandbox', [null], (p) => ((last = p), listener?.(p)), false);
    answer.catch(() => {
      // Reported to the screen that takes it over.
    });
    early = { id, done: answer, follow: (onProgress) => ((listener = onProgress), last && onProgress(last)) };
  }
  const ensureSandbox = (onProgress: OnProgress): Promise<void> => {
    const taken = early;
    early = undefined;
    if (!taken) return call('ensureSandbox', [null], onProgress);
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
    sandboxStatus: () => call('sandboxStatus', []),
    ensureSandbox,
    // The console has read the catalog to draw the tasks: their definitions go along, so the worker need not
    // read it before setting them up (it does so afterwards, for grading).
    setupTasks: async (entries: readonly TaskEntry[], onProgress) => {
      const byId = new Map((await tasks()).map((t) => [t.id, t]));
      const definitions = entries.map((e) => byId.get(e.id)).filter((d): d is Task => d !== undefined);
      return call('setupTasks', definitions.length === entries.length ? [entries, null, definitions] : [entries, null], onProgress);
    },
    grade: (prepared, gradeOptions) => call('grade', gradeOptions ? [prepared, gradeOptions] : [prepared]),
    resetTask: (task) => call('resetTask', [task]),
  };
}
