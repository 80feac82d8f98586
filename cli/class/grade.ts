// Grading a class: every candidate's tasks in one read-only pass (the same engine and setup records as
// `ckad-lab grade`), plus what only a class has: changes after each candidate's own deadline, who has not
// touched anything yet, and access granted between candidates.
import { changesAfter, type LateChange } from '../../graders/late.ts';
import { CANDIDATE_KINDS } from '../../graders/kinds.ts';
import { CouldNotGrade, type ClusterReader, type KubeObject, type ListQuery } from '../../graders/reader.ts';
import type { GradeReport } from '../../graders/result.ts';
import { readerFor, type Kube } from '../../sandbox/kube.ts';
import type { Task } from '../../tasks/schema.ts';
import { gradeRecords, setupRecord } from '../lab/runner.ts';
import { candidateTasks } from './cluster.ts';
import { candidateDeadline, type ClassRecord } from './record.ts';
import { buildClassReport, type Binding, type CandidateGrade, type ClassReport } from './report.ts';

export type GradeClassOptions = {
  /** How long settling (`eventually`) checks may poll, in ms. */
  waitMs?: number;
  now?: () => number;
};

/**
 * A reader whose namespaced lists are served from one cluster-wide list per kind: scanning every candidate
 * namespace for late changes costs one request per kind instead of one per kind and namespace.
 */
function clusterWideReader(reader: ClusterReader): ClusterReader {
  const lists = new Map<string, Promise<KubeObject[]>>();
  return {
    get: (ref) => reader.get(ref),
    list: async (query: ListQuery) => {
      if (query.namespace === undefined || query.labelSelector !== undefined) return reader.list(query);
      const key = `${query.apiVersion} ${query.kind}`;
      let all = lists.get(key);
      if (!all) {
        all = reader.list({ apiVersion: query.apiVersion, kind: query.kind });
        lists.set(key, all);
      }
      return (await all).filter((o) => o.metadata?.namespace === query.namespace);
    },
  };
}

export async function gradeClass(kube: Kube, record: ClassRecord, catalog: readonly Task[], workRoot: string, opts: GradeClassOptions = {}): Promise<ClassReport> {
  const now = (opts.now ?? Date.now)();
  const scan = clusterWideReader(readerFor(kube));
  const grades = await Promise.all(
    record.candidates.map(async (candidate): Promise<CandidateGrade> => {
      const prepared = candidateTasks(record, candidate, catalog, workRoot);
      const tasks = prepared.map((p) => catalog.find((t) => t.id === p.id) as Task);
      const records = await Promise.all(tasks.map((t) => setupRecord(kube, t, { id: t.id, seed: candidate.seed, prefix: candidate.prefix }, workRoot)));
      let report: GradeReport = await gradeRecords(kube, records, workRoot, opts.waitMs ?? 2_000);
      const namespaces = prepared.flatMap((p) => Object.values(p.namespaces));
      const deadline = candidateDeadline(record, candidate);
      const touched = await scanOrUndefined(() => changesAfter(scan, namespaces, record.startsAt));
      if (now > deadline) {
        const late = (await scanOrUndefined(() => changesAfter(scan, namespaces, deadline))) ?? [];
        const ownerOf = new Map(prepared.flatMap((p) => Object.values(p.namespaces).map((ns) => [ns, p.id] as const)));
        report = { ...report, tasks: report.tasks.map((t) => ({ ...t, changedAfterEnd: late.filter((c) => ownerOf.get(c.namespace) === t.id) })) };
      }
      const bindings = await scanOrUndefined(() => roleBindings(scan, namespaces));
      return { candidate, deadline, prepared, report, touched: touched === undefined ? undefined : touched.length > 0, bindings: bindings ?? [] };
    }),
  );
  return buildClassReport(record, grades, now);
}

/** Late changes and bindings are extras: a cluster that will not list them leaves them out, it does not fail grading. */
async function scanOrUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CouldNotGrade) return undefined;
    throw error;
  }
}

const ROLE_BINDING = CANDIDATE_KINDS.find((k) => k.kind === 'RoleBinding') ?? { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' };

async function roleBindings(reader: ClusterReader, namespaces: readonly string[]): Promise<Binding[]> {
  const lists = await Promise.all(namespaces.map((namespace) => reader.list({ ...ROLE_BINDING, namespace })));
  return lists.flat().map((b) => ({
    namespace: String(b.metadata?.namespace),
    name: String(b.metadata?.name),
    subjects: ((b.subjects as { kind?: string; name?: string; namespace?: string }[] | undefined) ?? []).map((s) => ({ kind: s.kind ?? '', name: s.name ?? '', ...(s.namespace ? { namespace: s.namespace } : {}) })),
  }));
}

export type { LateChange };
