// Helm against the sandbox, as a candidate uses it after `eval "$(ckad-lab sandbox env)"`: the pinned helm, the
// `lab` repository already added, install, upgrade to the second chart version, rollback; ~/.config/helm untouched.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import type { BinaryPaths } from '../../sandbox/build.ts';
import { resolveBinaries, sandboxEnvVars, sandboxStatus, sandboxUp } from '../../sandbox/sandbox.ts';
import { VERSIONS } from '../../sandbox/versions.ts';
import { kubectlJson, sandboxEnv, testNamespace, waitFor } from './helpers.ts';

const exec = promisify(execFile);
let binaries: BinaryPaths;
let home: string;

beforeAll(async () => {
  binaries = await resolveBinaries({}, () => {});
  // A home of its own: helm must not write anything under it.
  home = await mkdtemp(join(tmpdir(), 'ckad-lab-helm-home-'));
});

async function helm(...args: string[]): Promise<string> {
  const { pathDirs, ...vars } = sandboxEnvVars(binaries);
  const env: NodeJS.ProcessEnv = { ...sandboxEnv(), ...vars, PATH: `${pathDirs.join(':')}:${process.env.PATH}`, HOME: home };
  delete env.XDG_CONFIG_HOME;
  delete env.XDG_CACHE_HOME;
  delete env.XDG_DATA_HOME;
  try {
    return (await exec('helm', args, { env })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')}: ${e.stderr ?? e.message}`);
  }
}

type Release = { name: string; revision: string; status: string; chart: string; app_version: string };
const release = async (ns: string, name: string) => ((JSON.parse(await helm('list', '-n', ns, '-o', 'json')) as Release[]).find((r) => r.name === name));
const image = async (ns: string, deployment: string) => {
  const d = await kubectlJson<{ spec: { template: { spec: { containers: { image: string; readinessProbe?: unknown }[] } } } }>('get', 'deployment', deployment, '-n', ns);
  return d.spec.template.spec.containers[0];
};

describe('helm in the sandbox', () => {
  test('reports the pinned version, and its homes are the sandbox', async () => {
    expect((await helm('version', '--template', '{{.Version}}')).trim()).toBe(VERSIONS.helm);
    const env = await helm('env');
    expect(env).toMatch(new RegExp(`HELM_CONFIG_HOME="${process.env.CKAD_LAB_STATE_DIR}/sandbox/helm/config"`));
    expect(env).toMatch(new RegExp(`HELM_REPOSITORY_CACHE="${process.env.CKAD_LAB_STATE_DIR}/sandbox/helm/cache/repository"`));
  });

  test('the lab repository is already added: search lists both webapp versions and redis; repo update works', async () => {
    const repos = JSON.parse(await helm('repo', 'list', '-o', 'json')) as { name: string; url: string }[];
    expect(repos).toEqual([{ name: 'lab', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }]);
    expect(await helm('repo', 'update')).toMatch(/Successfully got an update from the "lab" chart repository/);
    const charts = JSON.parse(await helm('search', 'repo', 'lab/', '--versions', '-o', 'json')) as { name: string; version: string }[];
    expect(charts.map((c) => `${c.name}-${c.version}`)).toEqual(expect.arrayContaining(['lab/webapp-1.1.0', 'lab/webapp-1.0.0', 'lab/redis-1.0.0']));
    expect(JSON.parse(await helm('search', 'repo', 'lab/webapp', '-o', 'json'))).toEqual([expect.objectContaining({ name: 'lab/webapp', version: '1.1.0', app_version: '1.28' })]);
  });

  test('install from lab/, upgrade to the second chart version, roll back', async () => {
    const ns = await testNamespace();
    await helm('install', 'shop', 'lab/webapp', '--version', '1.0.0', '-n', ns, '--set', 'replicaCount=3', '--set', 'service.type=NodePort', '--wait', '--timeout', '60s');
    expect(await release(ns, 'shop')).toMatchObject({ revision: '1', status: 'deployed', chart: 'webapp-1.0.0', app_version: '1.27' });
    expect(await image(ns, 'shop-webapp')).toMatchObject({ image: 'nginx:1.27' });
    const deployment = await kubectlJson<{ status: { readyReplicas?: number } }>('get', 'deployment', 'shop-webapp', '-n', ns);
    expect(deployment.status.readyReplicas).toBe(3);
    expect((await kubectlJson<{ spec: { type: string } }>('get', 'service', 'shop-webapp', '-n', ns)).spec.type).toBe('NodePort');

    // The new chart's defaults (its readiness probe) with the values given at install.
    await helm('upgrade', 'shop', 'lab/webapp', '--version', '1.1.0', '-n', ns, '--reset-then-reuse-values', '--wait', '--timeout', '60s');
    expect(await release(ns, 'shop')).toMatchObject({ revision: '2', status: 'deployed', chart: 'webapp-1.1.0' });
    expect(await image(ns, 'shop-webapp')).toMatchObject({ image: 'nginx:1.28', readinessProbe: expect.any(Object) });
    expect(JSON.parse(await helm('get', 'values', 'shop', '-n', ns, '-o', 'json'))).toEqual({ replicaCount: 3, service: { type: 'NodePort' } });

    await helm('rollback', 'shop', '1', '-n', ns, '--wait', '--timeout', '60s');
    expect(await release(ns, 'shop')).toMatchObject({ revision: '3', status: 'deployed', chart: 'webapp-1.0.0' });
    expect(await image(ns, 'shop-webapp')).toEqual(expect.not.objectContaining({ readinessProbe: expect.anything() }));
    expect((await image(ns, 'shop-webapp'))?.image).toBe('nginx:1.27');
    const history = JSON.parse(await helm('history', 'shop', '-n', ns, '-o', 'json')) as { revision: number; status: string }[];
    expect(history.map((h) => `${h.revision} ${h.status}`)).toEqual(['1 superseded', '2 superseded', '3 deployed']);
    await waitFor('the rolled-back pods Ready', async () => (await kubectlJson<{ status: { readyReplicas?: number; updatedReplicas?: number } }>('get', 'deployment', 'shop-webapp', '-n', ns)).status.readyReplicas === 3);
  });

  test('the second chart (redis) installs as a StatefulSet whose pod becomes Ready; uninstall removes it', async () => {
    const ns = await testNamespace();
    await helm('install', 'cache', 'lab/redis', '-n', ns, '--set', 'config.maxmemory=128mb', '--wait', '--timeout', '60s');
    const sts = await kubectlJson<{ status: { readyReplicas?: number } }>('get', 'statefulset', 'cache-redis', '-n', ns);
    expect(sts.status.readyReplicas).toBe(1);
    const cm = await kubectlJson<{ data: Record<string, string> }>('get', 'configmap', 'cache-redis', '-n', ns);
    expect(cm.data['redis.conf'] ?? '').toContain('maxmemory 128mb');
    await helm('uninstall', 'cache', '-n', ns, '--wait');
    expect(await release(ns, 'cache')).toBeUndefined();
  });

  test('a killed chart repository is repaired by up, at the same address, without restarting the cluster', async () => {
    const before = await sandboxStatus();
    expect(before.state).toBe('running');
    process.kill(before.chartRepository.pid as number, 'SIGKILL');
    const down = await waitFor('the repository seen down', async () => {
      const s = await sandboxStatus();
      return s.chartRepository.alive ? undefined : s;
    });
    expect(down.state).toBe('degraded');
    const after = await sandboxUp({ binaries });
    expect(after.state).toBe('running');
    expect(after.chartRepository).toMatchObject({ alive: true, url: before.chartRepository.url });
    expect(after.components.map((c) => c.pid)).toEqual(before.components.map((c) => c.pid));
    expect(await helm('search', 'repo', 'lab/redis')).toContain('lab/redis');
  });

  test('nothing was written under the home directory (~/.config/helm and friends)', () => {
    for (const dir of ['.config', '.cache', '.local']) expect(existsSync(join(home, dir, 'helm')), dir).toBe(false);
  });
});
