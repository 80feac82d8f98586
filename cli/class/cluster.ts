// A class's record on the cluster (read, written, listed) and the two writes every class command makes. The
// record lives on the cluster, not on the instructor's disk, so any machine with the instructor's context can
// watch, grade, extend, end or delete the class. Every change goes through the one Kube client, behind its guard
// (the context must be the sandbox or allowed). Creating a class: create.ts; its credentials, extension and end:
// credentials.ts; deleting it: delete.ts.
import type { KubeObject } from '../../graders/reader.ts';
import { UserError } from '../../sandbox/errors.ts';
import { ApiError, type Kube } from '../../sandbox/kube.ts';
import type { Task } from '../../tasks/schema.ts';
import type { PreparedTask } from '../exam/services.ts';
import { describeTask } from '../lab/runner.ts';
import { ClassRecord, RECORD_CONFIGMAP, candidateRecord, classNamespace, type Candidate } from './record.ts';
import { candidateRecordObjects, classLabels } from './rights.ts';

/** Creates an object, or replaces a same-named one (a re-run after an interrupted create). */
export async function put(kube: Kube, object: KubeObject): Promise<KubeObject> {
  try {
    return await kube.create(object);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 409)) throw error;
    return kube.patch(object, 'merge');
  }
}

/** Deletes an object; false when it was not there. */
export async function remove(kube: Kube, apiVersion: string, kind: string, name: string, namespace?: string): Promise<boolean> {
  kube.assertMayMutate(`delete ${kind} ${name}`);
  try {
    await kube.raw('DELETE', await kube.path(apiVersion, kind, namespace, name));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) return false;
    throw kube.explain(error, `delete ${kind} ${name}`);
  }
}

// ------------------------------------------------------------------------------------------------ record

/** A class's record as read from the cluster, or what is wrong with it (a half-created class has none). */
export type StoredRecord = { ok: true; record: ClassRecord } | { ok: false; problem: string; hint: string };

export async function readStoredRecord(kube: Pick<Kube, 'get'>, name: string): Promise<StoredRecord> {
  const where = `${classNamespace(name)}/${RECORD_CONFIGMAP}`;
  const cm = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: classNamespace(name), name: RECORD_CONFIGMAP });
  const text = (cm?.data as Record<string, string> | undefined)?.['class.json'];
  if (!text) {
    return { ok: false, problem: `no record (no ConfigMap ${where} with class.json)`, hint: `An interrupted \`class create\` leaves a class without one: remove it with \`ckad-lab class delete ${name}\` and create it again.` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `its record (${where}) is not JSON: ${(error as Error).message}`, hint: `Was it edited by hand? Delete the class (\`ckad-lab class delete ${name}\`) and create it again.` };
  }
  const parsed = ClassRecord.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `its record (${where}) is not one ckad-lab can read: ${issue?.path.join('.') || 'record'}: ${issue?.message}`, hint: `Was it edited by hand? Delete the class (\`ckad-lab class delete ${name}\`) and create it again.` };
  }
  return { ok: true, record: parsed.data };
}

export async function readClass(kube: Kube, name: string): Promise<ClassRecord> {
  const stored = await readStoredRecord(kube, name);
  if (stored.ok) return stored.record;
  const exists = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: classNamespace(name) });
  if (!exists) {
    throw new UserError(`No class "${name}" on context "${kube.context}".`, { hint: 'See the classes there with `ckad-lab class list`, or create one with `ckad-lab class create`.', exitCode: 2 });
  }
  throw new UserError(`Class "${name}" on context "${kube.context}": ${stored.problem}.`, { hint: stored.hint });
}

export async function writeRecord(kube: Kube, record: ClassRecord): Promise<void> {
  await put(kube, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: RECORD_CONFIGMAP, namespace: classNamespace(record.name), labels: classLabels(record.name) }, data: { 'class.json': JSON.stringify(record) } });
  await Promise.all(record.candidates.map((c) => Promise.all(candidateRecordObjects(record.name, c.name, candidateRecord(record, c)).map((o) => put(kube, o)))));
}

/** Every task of a candidate as set up for her (titles, namespaces, instructions), without touching the cluster. */
export function candidateTasks(record: Pick<ClassRecord, 'tasks'>, candidate: Pick<Candidate, 'seed' | 'prefix'>, catalog: readonly Task[], workRoot: string): PreparedTask[] {
  return record.tasks.map((id) => {
    const task = catalog.find((t) => t.id === id);
    if (!task) throw new UserError(`Task ${id} of this class is not in this ckad-lab's catalog.`, { hint: 'Use the same ckad-lab version as the instructor.' });
    return describeTask(task, { id, seed: candidate.seed, prefix: candidate.prefix }, workRoot);
  });
}
