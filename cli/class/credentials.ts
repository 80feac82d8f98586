// A candidate's credentials: a token bound to her ServiceAccount until her deadline, in a kubeconfig; more time
// for one candidate (a new kubeconfig); the end of the class for everyone (every token revoked at once).
import { readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../../sandbox/errors.ts';
import type { Kube } from '../../sandbox/kube.ts';
import { KEYS, MANAGED_SELECTOR } from '../../sandbox/labels.ts';
import type { RunnerContext } from '../lab/runner.ts';
import { put, readClass, remove, writeRecord } from './cluster.ts';
import { CANDIDATE_LABEL, CLASS_LABEL, candidateDeadline, classNamespace, type Candidate, type ClassRecord } from './record.ts';
import { serviceAccount } from './rights.ts';

/** The API server refuses shorter tokens (TokenRequest validation). */
export const MIN_TOKEN_SECONDS = 600;

/**
 * A token bound to her ServiceAccount until her deadline (TokenRequest API), written into a kubeconfig with the
 * instructor's server and CA. The API server may cap the lifetime (--service-account-max-token-expiration):
 * then the warning says until when it works.
 */
export async function issueKubeconfig(runner: RunnerContext, record: ClassRecord, candidate: Candidate, outDir: string, now: () => number = Date.now): Promise<{ file: string; expiresAt: number; warning?: string }> {
  const { kube } = runner;
  const deadline = candidateDeadline(record, candidate);
  let seconds = Math.max(MIN_TOKEN_SECONDS, Math.ceil((deadline - now()) / 1000));
  // 3607 s is the one lifetime the API server silently extends to a year (legacy kubelet tokens): never ask for it.
  if (seconds === 3607) seconds = 3608;
  kube.assertMayMutate(`issue a token for ${candidate.name}`);
  const path = `/api/v1/namespaces/${classNamespace(record.name)}/serviceaccounts/${candidate.name}/token`;
  let response: { status?: { token?: string; expirationTimestamp?: string } };
  try {
    response = (await kube.raw('POST', path, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds } })) as typeof response;
  } catch (error) {
    throw kube.explain(error, `request a token for candidate ${candidate.name}`);
  }
  const token = response.status?.token;
  if (!token) throw new UserError(`The API server on context "${kube.context}" returned no token for ${candidate.name}.`);
  const expiresAt = Date.parse(response.status?.expirationTimestamp ?? '') || now() + seconds * 1000;
  const file = join(outDir, `${candidate.name}.kubeconfig`);
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  await writeFile(file, candidateKubeconfig(kube, record.name, candidate.name, token, await defaultNamespace(kube, record, candidate)), { mode: 0o600 });
  await chmod(file, 0o600);
  const warning =
    expiresAt + 1000 < deadline
      ? `The API server on context "${kube.context}" limits tokens to ${Math.round((expiresAt - now()) / 60_000)} minutes (--service-account-max-token-expiration): kubeconfigs stop working at ${new Date(expiresAt).toISOString()}, before the window ends; issue new ones then with \`ckad-lab class extend\`.`
      : undefined;
  return { file, expiresAt, ...(warning ? { warning } : {}) };
}

/** Her first task's main namespace (so plain `kubectl get pods` looks where her first task is). */
async function defaultNamespace(kube: Kube, record: ClassRecord, candidate: Candidate): Promise<string> {
  const namespaces = await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: `${CLASS_LABEL}=${record.name},${CANDIDATE_LABEL}=${candidate.name},${KEYS.task}=${record.tasks[0]}` });
  // A task's main namespace is the one carrying its setup record.
  const main = namespaces.find((n) => n.metadata?.annotations?.[KEYS.values] !== undefined) ?? namespaces[0];
  return main?.metadata?.name ?? 'default';
}

export function candidateKubeconfig(kube: Kube, className: string, candidate: string, token: string, namespace: string): string {
  const cluster = kube.kc.getCurrentCluster();
  if (!cluster) throw new UserError(`Context "${kube.context}" has no cluster.`);
  let caData = cluster.caData;
  if (!caData && cluster.caFile) {
    caData = Buffer.from(readFileSyncSafe(cluster.caFile)).toString('base64');
  }
  const clusterName = `ckad-lab-class-${className}`;
  const user = `${className}-${candidate}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: cluster.server, ...(caData ? { 'certificate-authority-data': caData } : {}), ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}), ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}) } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: clusterName, user, namespace } }],
    'current-context': user,
  });
}

function readFileSyncSafe(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UserError(`Cannot read the CA file ${file} of the current context (${(error as NodeJS.ErrnoException).code}).`, { hint: 'Candidates need the CA to trust the API server.' });
  }
}

// ------------------------------------------------------------------------------------------ end, extend

/**
 * Ends the class for everyone at once: every candidate's ServiceAccount is deleted and created again, which
 * invalidates every token issued for it (bound tokens carry the account's UID), while her bindings (by name)
 * stay for an extension. Extensions are cleared.
 */
export async function endClass(kube: Kube, name: string, now: () => number = Date.now): Promise<ClassRecord> {
  kube.assertMayMutate(`end class ${name}`);
  const record = await readClass(kube, name);
  await Promise.all(record.candidates.map((c) => revoke(kube, name, c.name)));
  await revokeMintedTokens(kube, name);
  const ended: ClassRecord = { ...record, endedAt: now(), candidates: record.candidates.map(({ extendedUntil: _, ...c }) => c) };
  await writeRecord(kube, ended);
  return ended;
}

async function revoke(kube: Kube, className: string, candidate: string): Promise<void> {
  await remove(kube, 'v1', 'ServiceAccount', candidate, classNamespace(className));
  // Deletion is asynchronous only for objects with finalizers; ServiceAccounts have none.
  await put(kube, serviceAccount(className, candidate));
}

/**
 * Tokens a candidate minted herself (at most an hour, for ServiceAccounts of her own namespaces) die with their
 * ServiceAccount: each is recreated as it was (same name, labels, annotations, secrets), so her work grades the
 * same while no token issued before the end works. Graders never look at a ServiceAccount's UID.
 */
async function revokeMintedTokens(kube: Kube, className: string): Promise<void> {
  const namespaces = await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: `${MANAGED_SELECTOR},${CLASS_LABEL}=${className}` });
  await Promise.all(
    namespaces
      .map((n) => n.metadata?.name as string)
      .filter((ns) => ns !== classNamespace(className))
      .map(async (namespace) => {
        for (const sa of await kube.list({ apiVersion: 'v1', kind: 'ServiceAccount', namespace })) {
          const { uid: _u, resourceVersion: _r, creationTimestamp: _c, managedFields: _m, ...metadata } = sa.metadata ?? {};
          await remove(kube, 'v1', 'ServiceAccount', String(sa.metadata?.name), namespace);
          await put(kube, { ...sa, metadata: { ...metadata, namespace } });
        }
      }),
  );
}

/**
 * More time for one candidate: until her current deadline (or now, if it has passed) plus `minutes`, with a new
 * kubeconfig. Her old token keeps working until it expires; nobody else's changes.
 */
export async function extendCandidate(runner: RunnerContext, name: string, candidateName: string, minutes: number, outDir: string, now: () => number = Date.now): Promise<{ record: ClassRecord; until: number; file: string; warning?: string }> {
  const { kube } = runner;
  kube.assertMayMutate(`extend class ${name}`);
  const record = await readClass(kube, name);
  const candidate = record.candidates.find((c) => c.name === candidateName);
  if (!candidate) throw new UserError(`Class "${name}" has no candidate "${candidateName}".`, { hint: `Its candidates: ${record.candidates.map((c) => c.name).join(', ')}.`, exitCode: 2 });
  const until = Math.max(candidateDeadline(record, candidate), now()) + minutes * 60_000;
  const updated: ClassRecord = { ...record, candidates: record.candidates.map((c) => (c.name === candidateName ? { ...c, extendedUntil: until } : c)) };
  await writeRecord(kube, updated);
  const issued = await issueKubeconfig(runner, updated, { ...candidate, extendedUntil: until }, outDir, now);
  return { record: updated, until, file: issued.file, ...(issued.warning ? { warning: issued.warning } : {}) };
}
