// An in-memory ClusterReader over fixture objects, counting its reads, for grader tests without a cluster.
import type { ClusterReader, GetRef, KubeObject, ListQuery } from '../../graders/reader.ts';
import { matchesSelector } from '../../graders/selector.ts';
import { Task } from '../../tasks/schema.ts';

export class FakeReader implements ClusterReader {
  objects: KubeObject[];
  /** Every read, in order: `get apps/v1 Deployment lab/web`, `list v1 Pod lab app=web`. */
  calls: string[] = [];
  /** Thrown by every read while set. */
  failWith: Error | undefined;
  /** Runs before each read (after it is counted): tests change `objects` here to simulate a settling cluster. */
  beforeRead: ((reads: number) => void) | undefined;

  constructor(objects: KubeObject[] = []) {
    this.objects = objects;
  }

  async get(ref: GetRef): Promise<KubeObject | undefined> {
    this.calls.push(`get ${ref.apiVersion} ${ref.kind} ${ref.namespace ?? ''}/${ref.name}`);
    this.beforeRead?.(this.calls.length);
    if (this.failWith) throw this.failWith;
    const found = this.objects.find(
      (o) => o.apiVersion === ref.apiVersion && o.kind === ref.kind && o.metadata?.name === ref.name && o.metadata?.namespace === ref.namespace,
    );
    return found && structuredClone(found);
  }

  async list(q: ListQuery): Promise<KubeObject[]> {
    this.calls.push(`list ${q.apiVersion} ${q.kind} ${q.namespace ?? ''} ${q.labelSelector ?? ''}`.trimEnd());
    this.beforeRead?.(this.calls.length);
    if (this.failWith) throw this.failWith;
    return this.objects
      .filter(
        (o) =>
          o.apiVersion === q.apiVersion &&
          o.kind === q.kind &&
          (q.namespace === undefined || o.metadata?.namespace === q.namespace) &&
          (q.labelSelector === undefined || matchesSelector(o.metadata?.labels, q.labelSelector)),
      )
      .map((o) => structuredClone(o));
  }
}

export const NS = 'lab-web';

/** A valid rendered task around `checks` (parsed, so check defaults such as `eventually: false` apply). */
export function makeTask(checks: unknown[], id = 'web-task'): Task {
  return Task.parse({
    id,
    title: 'A test task',
    competency: 'rolling-updates',
    minutes: 5,
    namespaces: { ns: NS },
    instructions: 'Do the thing.',
    checks,
    solution: 'kubectl apply -f web.yaml',
    wrongSolutions: [{ name: 'nothing', script: 'true' }],
    links: ['https://kubernetes.io/docs/concepts/workloads/controllers/deployment/'],
  });
}

/** A fake clock: `sleep` advances `now` instead of waiting. */
export function fakeClock(start = 1_000_000): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}
