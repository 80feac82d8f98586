// `helmRelease` checks: a Helm release by name, decoded in the grader from the Secrets helm keeps it in (the
// default `secret` storage driver of helm v3 and v4): one Secret per revision, `sh.helm.release.v1.NAME.vREV`,
// type helm.sh/release.v1, labelled owner=helm, name=NAME, version=REV, status=STATUS. Its `data.release` is
// the API's base64 of helm's own encoding: base64 of gzip of the release JSON (pkg/storage/driver/util.go;
// older releases may be stored without gzip). The latest revision is the highest `version`.
import { Buffer } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';
import { match, type Failure } from '../match.ts';
import type { ClusterReader, KubeObject } from '../reader.ts';

/** What a check's `expect` is matched against: the latest revision, as `helm status` / `get values` show it. */
export type HelmReleaseView = {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chart: string;
  version: string;
  appVersion: string;
  description: string;
  /** User-supplied values (`helm get values`): release.config. */
  values: Record<string, unknown>;
  /** Every stored revision, oldest first. */
  history: { revision: number; status: string; chart: string; version: string; appVersion: string; description: string }[];
};

/** The subset of helm's release JSON the grader reads (release/v1 Release). */
type StoredRelease = {
  name?: string;
  namespace?: string;
  version?: number;
  config?: Record<string, unknown> | null;
  info?: { status?: string; description?: string };
  chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
};

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** Decodes `data.release` of a release Secret as the API returns it (base64 of helm's base64 of gzip of JSON). */
export function decodeReleaseSecret(secret: KubeObject): StoredRelease {
  const data = (secret['data'] as Record<string, string> | undefined)?.['release'];
  if (typeof data !== 'string') throw new Error(`Secret ${secret.metadata?.name} has no data.release: not a helm release Secret`);
  const helmEncoded = Buffer.from(data, 'base64').toString('utf8');
  let bytes = Buffer.from(helmEncoded, 'base64');
  if (GZIP_MAGIC.every((b, i) => bytes[i] === b)) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')) as StoredRelease;
}

/** Encodes a release the way helm stores it, as the API would return the Secret's data (for tests and fixtures). */
export function encodeReleaseData(release: unknown): string {
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString('base64');
  return Buffer.from(helmEncoded, 'utf8').toString('base64');
}

const view = (r: StoredRelease) => ({
  revision: r.version ?? 0,
  status: r.info?.status ?? 'unknown',
  chart: r.chart?.metadata?.name ?? '',
  version: r.chart?.metadata?.version ?? '',
  appVersion: r.chart?.metadata?.appVersion ?? '',
  description: r.info?.description ?? '',
});

/** The release as a plain object, or undefined when helm stores no revision of it in `namespace`. */
export async function readRelease(reader: ClusterReader, name: string, namespace: string): Promise<HelmReleaseView | undefined> {
  const secrets = await reader.list({ apiVersion: 'v1', kind: 'Secret', namespace, labelSelector: `owner=helm,name=${name}` });
  const releases = secrets
    .filter((s) => s['type'] === 'helm.sh/release.v1' && !s.metadata?.['deletionTimestamp'])
    .map((s) => decodeReleaseSecret(s))
    .filter((r) => r.name === name)
    .sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
  const latest = releases.at(-1);
  if (!latest) return undefined;
  return { name, namespace, ...view(latest), values: latest.config ?? {}, history: releases.map(view) };
}

export async function helmReleaseCheck(ref: { name: string; namespace: string }, expect: unknown, reader: ClusterReader): Promise<Failure[]> {
  const release = await readRelease(reader, ref.name, ref.namespace);
  if (!release) {
    return [{
      path: `release/${ref.name}`,
      expected: `Helm release ${ref.name}`,
      actual: '<missing>',
      message: `no Helm release ${ref.name} in namespace ${ref.namespace} (helm list -n ${ref.namespace} shows none)`,
    }];
  }
  return match(expect, release);
}
