// What `kubectl logs` shows on the sandbox. Containers do not run, so the kwok controller serves log files:
// for a pod with a `Logs` object (kwok.x-k8s.io/v1alpha1, named after the pod, in its namespace) the file its
// entry for the container names, else the `no-logs` ClusterLogs note that sandbox.ts puts in kwok's config.
// kwok reads the files with the kubelet's own reader, so -c, --tail, --since, --timestamps, -f, -p and -l
// behave as on a real node; the files here are in the kubelet's (CRI) format: `<RFC 3339 time> stdout F <line>`.
//
// Logs objects are served as a CRD (kwok config `enableCRDs: [Logs]`): the lab creates them, through the admin
// credential, when a task's setup has a `logs` step. ClusterLogs stays in kwok's config file, not a CRD: kwok
// tries ClusterLogs in its informer's (map) order, so a task's ClusterLogs beside the catch-all note would win
// or lose at random. A `Logs` object is always tried first, which makes "the task's lines, else the note" exact.
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CouldNotGrade } from '../graders/reader.ts';
import { UserError } from './errors.ts';
import { ApiError, type Kube } from './kube.ts';
import { sandboxPaths } from './paths.ts';
import { poll } from '../graders/poll.ts';

const LOGS_API = 'kwok.x-k8s.io/v1alpha1';

/**
 * The log files of task pods: in the lab's own state directory, not the candidate's working directory, where
 * `grep -r ERROR .` would give an answer away. (Anyone on the host can still read them; so can the candidate
 * read a real node's /var/log/pods. The point is that a task's answer is not lying in its handed-out files.)
 */
export const logsDir = (): string => join(sandboxPaths().root, 'logs');
/** The note for containers without task content; sandbox.ts writes it at `sandbox up`. */
const noLogsFile = (): string => join(sandboxPaths().root, 'no-logs.txt');

export type ContainerLogs = {
  namespace: string;
  /** One pod by name, or... */
  pod?: string;
  /** ...every pod this label selector matches when the step runs. */
  selector?: string;
  /** The container the lines are for; without it, every container of the pod. */
  container?: string;
  /** What `kubectl logs` prints, one line each. */
  lines: string;
  /** What `kubectl logs -p` prints: the container's previous run (before it crashed). */
  previous?: string;
  /** The lines are timestamped over this many seconds, the last one at setup time (`--since` picks from them). */
  spanSeconds?: number;
};

type LogEntry = { containers: string[]; logsFile: string; previousLogsFile?: string };

/** Lines in the CRI format, evenly spread from `end - spanSeconds` to `end`. */
export function criLog(text: string, end: Date, spanSeconds: number): string {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  if (text === '') return '';
  const step = lines.length > 1 ? (spanSeconds * 1000) / (lines.length - 1) : 0;
  const start = end.getTime() - spanSeconds * 1000;
  return lines.map((line, i) => `${rfc3339Nano(new Date(Math.round(start + i * step)))} stdout F ${line}\n`).join('');
}

/** `2026-11-29T14:00:00.123000000Z`: the kubelet's timestamp layout (nanoseconds; JavaScript has milliseconds). */
const rfc3339Nano = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

/** By default lines are a second apart, ending at setup time. */
const defaultSpan = (text: string) => Math.max(0, text.replace(/\n$/, '').split('\n').length - 1);

/**
 * Gives pods canned logs: writes the log files and creates (or extends) each pod's `Logs` object. A pod's other
 * containers keep the note. Returns the pods it set. Only on the sandbox: a real cluster has real logs.
 */
export async function setContainerLogs(kube: Kube, spec: ContainerLogs, now = new Date()): Promise<string[]> {
  kube.assertMayMutate('set container logs');
  if (!kube.ownedBySandbox) {
    throw new UserError(`Canned container logs exist only on the ckad-lab sandbox; context "${kube.context}" runs real containers.`, { hint: 'Practise this task on the sandbox (drop --context).' });
  }
  await requireLogsApi(kube);
  const pods = await podsFor(kube, spec);
  const span = spec.spanSeconds ?? defaultSpan(spec.lines);
  await removeStaleFiles(kube, spec.namespace);
  for (const pod of pods) {
    const dir = join(logsDir(), spec.namespace, pod);
    await mkdir(dir, { recursive: true });
    const base = join(dir, spec.container ?? '_all');
    const entry: LogEntry = { containers: spec.container ? [spec.container] : [], logsFile: `${base}.log` };
    await writeFile(entry.logsFile, criLog(spec.lines, now, span));
    if (spec.previous !== undefined) {
      // The previous run ended before this one began: a second before the first current line.
      entry.previousLogsFile = `${base}.previous.log`;
      const prevSpan = defaultSpan(spec.previous);
      await writeFile(entry.previousLogsFile, criLog(spec.previous, new Date(now.getTime() - (span + 1) * 1000), prevSpan));
    } else {
      // No previous run: `logs -p` fails, as on a real node, naming this file that does not exist (kwok's own
      // default, no file at all, fails with "read .: is a directory").
      entry.previousLogsFile = `${base}.no-previous-run`;
      await rm(entry.previousLogsFile, { force: true });
    }
    await upsertLogs(kube, spec.namespace, pod, entry);
  }
  await Promise.all(pods.map((pod) => waitUntilServed(kube, spec.namespace, pod, spec.container, spec.lines)));
  return pods;
}

/**
 * kwok learns of a new Logs object from a watch, a moment after it is written, and serves the note until then:
 * wait until `kubectl logs` prints these lines (their last one), so that whoever reads them right after setup
 * (the candidate, a reference solution) gets them. A pod not on a node yet has no logs to wait for.
 */
async function waitUntilServed(kube: Kube, namespace: string, pod: string, container: string | undefined, lines: string, timeoutMs = 15_000): Promise<void> {
  const last = lines.split('\n').filter((l) => l.trim() !== '').at(-1);
  if (last === undefined) return;
  const object = await kube.get({ apiVersion: 'v1', kind: 'Pod', namespace, name: pod });
  const spec = object?.spec as { nodeName?: string; containers?: { name: string }[] } | undefined;
  const name = container ?? spec?.containers?.[0]?.name;
  if (!spec?.nodeName || !name) return;
  const path = `/api/v1/namespaces/${namespace}/pods/${pod}/log?container=${encodeURIComponent(name)}`;
  let served = '';
  const ok = await poll(
    async () => {
      const answer = await kube.getText(path).catch(() => undefined);
      served = answer?.text ?? '';
      return answer?.statusCode === 200 && served.includes(last) ? true : undefined;
    },
    { timeoutMs, intervalMs: 20, maxIntervalMs: 500 },
  );
  if (!ok) throw new Error(`kwok did not serve the logs of pod ${namespace}/${pod} (container ${name}) within ${timeoutMs / 1000} s; it serves: ${JSON.stringify(served.slice(0, 200))}`);
}

async function podsFor(kube: Kube, spec: ContainerLogs): Promise<string[]> {
  if (spec.pod) return [spec.pod];
  const pods = await kube.list({ apiVersion: 'v1', kind: 'Pod', namespace: spec.namespace, labelSelector: spec.selector });
  const names = pods.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name as string);
  if (names.length === 0) throw new Error(`no pods match the selector "${spec.selector}" in namespace ${spec.namespace}: wait for them first (a \`wait\` step with condition rolloutComplete or podsReady)`);
  return names.sort();
}

/**
 * A pod's Logs object holds one entry per container given lines, and a catch-all entry (no containers) for the
 * rest: kwok answers "log target not found" for a container a pod's Logs object does not cover, rather than
 * falling back to the ClusterLogs note.
 */
async function upsertLogs(kube: Kube, namespace: string, pod: string, entry: LogEntry): Promise<void> {
  const ref = { apiVersion: LOGS_API, kind: 'Logs', namespace, name: pod };
  const existing = await kube.get(ref);
  const kept = ((existing?.spec as { logs?: LogEntry[] } | undefined)?.logs ?? []).filter((e) => !sameTarget(e, entry) && e.containers.length > 0);
  const catchAll = entry.containers.length === 0 ? [] : [((existing?.spec as { logs?: LogEntry[] } | undefined)?.logs ?? []).find((e) => e.containers.length === 0) ?? { containers: [], logsFile: noLogsFile() }];
  const logs = [...kept, entry, ...catchAll];
  if (existing) {
    await kube.patch({ ...ref, metadata: { name: pod, namespace } }, 'merge', `set the logs of pod ${namespace}/${pod}`, { spec: { logs } });
  } else {
    await kube.create({ apiVersion: LOGS_API, kind: 'Logs', metadata: { name: pod, namespace }, spec: { logs } }, `set the logs of pod ${namespace}/${pod}`);
  }
}

const sameTarget = (a: LogEntry, b: LogEntry) => a.containers.join(',') === b.containers.join(',');

async function requireLogsApi(kube: Kube): Promise<void> {
  try {
    await kube.path(LOGS_API, 'Logs');
  } catch (error) {
    if (!(error instanceof CouldNotGrade || (error instanceof ApiError && error.code === 404))) throw error;
    throw new UserError('This sandbox was created before simulated container logs: it does not serve the kwok Logs resource.', {
      hint: 'Recreate it (its objects are lost; exam history is kept):  ckad-lab sandbox destroy && ckad-lab sandbox up',
    });
  }
}

/**
 * Log files from an earlier setup of this namespace are removed, so they do not pile up: those written before
 * the namespace was (re)created. (Not "of pods that do not exist": a task may name a pod it creates later.)
 */
async function removeStaleFiles(kube: Kube, namespace: string): Promise<void> {
  const dir = join(logsDir(), namespace);
  const onDisk = await readdir(dir).catch(() => [] as string[]);
  if (onDisk.length === 0) return;
  const ns = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  const created = Date.parse(String(ns?.metadata?.creationTimestamp ?? '')) || Date.now();
  // creationTimestamp has whole seconds: a file from the same second as the namespace is kept.
  const stale = await Promise.all(onDisk.map(async (name) => ((await stat(join(dir, name))).mtimeMs < created ? name : undefined)));
  await Promise.all(stale.filter((n) => n !== undefined).map((name) => rm(join(dir, name), { recursive: true, force: true })));
}
