// The sandbox's toolbox without a cluster: the charts of the `lab` repository, the chart server, the kwokctl
// configuration for metrics-server and per-pod usage, `sandbox env` and the pid-file lock's wait
// (poll() is tested in poll.test.ts, tryPidLock in pid-lock.test.ts).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { componentBinDir, userBinaries, type BinaryPaths } from '../../sandbox/build.ts';
import { runHelm } from '../../sandbox/helm.ts';
import { chartSources, CHARTS_SOURCE_DIR, sourcesHash } from '../../sandbox/chart-repo.ts';
import { clusterResourceUsage, metricsServerManifest, usageExpression } from '../../sandbox/metrics.ts';
import { poll } from '../../graders/poll.ts';
import { acquirePidLock } from '../../sandbox/process.ts';
import { kwokConfig } from '../../sandbox/kwok-config.ts';
import { sandboxEnv } from '../../sandbox/sandbox.ts';
import { loadKnownImages } from '../../sandbox/known-images.ts';

const saved = { ...process.env };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ckad-lab-toolbox-'));
  process.env.CKAD_LAB_STATE_DIR = join(dir, 'state');
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(dir, { recursive: true, force: true });
});

const values = (name: string, version: string) => parse(readFileSync(join(CHARTS_SOURCE_DIR, name, version, 'values.yaml'), 'utf8')) as Record<string, any>;
const chart = (name: string, version: string) => parse(readFileSync(join(CHARTS_SOURCE_DIR, name, version, 'Chart.yaml'), 'utf8')) as Record<string, any>;

describe('the lab chart repository', () => {
  test('webapp in two versions and one more chart, each named and versioned as its directory', () => {
    const sources = chartSources().map((s) => `${s.name}-${s.version}`);
    expect(sources).toEqual(expect.arrayContaining(['webapp-1.0.0', 'webapp-1.1.0', 'redis-1.0.0']));
  });

  test('webapp has the values the issue names, in both versions, and their default images differ', () => {
    for (const version of ['1.0.0', '1.1.0']) {
      const v = values('webapp', version);
      expect(v).toMatchObject({ replicaCount: expect.any(Number), image: { repository: 'nginx', tag: expect.any(String) }, service: { type: 'ClusterIP', port: 80 } });
    }
    expect(chart('webapp', '1.0.0').appVersion).not.toBe(chart('webapp', '1.1.0').appVersion);
  });

  test("every chart's default image is one the sandbox can pull (its pods become Ready)", () => {
    const known = loadKnownImages();
    for (const source of chartSources()) {
      const v = values(source.name, source.version);
      const image = `${v.image.repository}:${v.image.tag || chart(source.name, source.version).appVersion}`;
      expect(known, `${source.name}-${source.version}`).toContain(image);
    }
  });

  test('a chart directory that disagrees with its Chart.yaml is refused', async () => {
    await cp(join(CHARTS_SOURCE_DIR, 'webapp', '1.0.0'), join(dir, 'webapp', '2.0.0'), { recursive: true });
    expect(() => chartSources(dir)).toThrow(/version 1\.0\.0 must match its directory webapp\/2\.0\.0/);
  });

  test('the sources hash changes with any file, so the repository is packaged again', async () => {
    await cp(CHARTS_SOURCE_DIR, join(dir, 'charts'), { recursive: true });
    const before = sourcesHash(chartSources(join(dir, 'charts')), join(dir, 'charts'));
    expect(sourcesHash(chartSources(join(dir, 'charts')), join(dir, 'charts'))).toBe(before);
    await writeFile(join(dir, 'charts', 'redis', '1.0.0', 'templates', 'NOTES.txt'), 'changed\n');
    expect(sourcesHash(chartSources(join(dir, 'charts')), join(dir, 'charts'))).not.toBe(before);
  });
});

describe('the chart server', () => {
  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });

  test('serves the repository files on 127.0.0.1, nothing else, and writes its pid file once listening', async () => {
    const served = join(dir, 'served');
    await cp(join(CHARTS_SOURCE_DIR, 'webapp', '1.0.0'), served, { recursive: true });
    await writeFile(join(served, 'index.yaml'), 'apiVersion: v1\nentries: {}\n');
    await writeFile(join(dir, 'secret.yaml'), 'no\n');
    const port = await freePort();
    const pidFile = join(dir, 'server.pid');
    const child = spawn(process.execPath, [join(CHARTS_SOURCE_DIR, '..', 'chart-server.ts'), served, String(port), pidFile], { stdio: 'ignore' });
    try {
      const url = `http://127.0.0.1:${port}`;
      const index = await poll(() => fetch(`${url}/index.yaml`).then((r) => (r.ok ? r.text() : undefined), () => undefined), { timeoutMs: 10_000, intervalMs: 25 });
      expect(index).toContain('entries');
      expect((await readFile(pidFile, 'utf8')).trim()).toBe(String(child.pid));
      expect((await fetch(`${url}/Chart.yaml`)).status).toBe(200);
      expect((await fetch(`${url}/..%2Fsecret.yaml`)).status).toBe(404);
      expect((await fetch(`${url}/templates%2Fservice.yaml`)).status).toBe(404);
      expect((await fetch(`${url}/values.txt`)).status).toBe(404);
      expect((await fetch(`${url}/index.yaml`, { method: 'POST' })).status).toBe(405);
    } finally {
      child.kill();
    }
  });
});

describe('kwokctl configuration', () => {
  const bin = Object.fromEntries(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok', 'kwokctl', 'metrics-server', 'helm'].map((n) => [n, `/bin/${n}`])) as BinaryPaths;

  test('metrics-server from the built binary, its manifest local (never a download), scraping at 10 s on InternalIP', () => {
    const docs = parseAllDocuments(kwokConfig(bin)).map((d) => d.toJS() as Record<string, any>);
    const kwokctl = docs.find((d) => d.kind === 'KwokctlConfiguration');
    expect(kwokctl?.options).toMatchObject({ enableMetricsServer: true, metricsServerBinary: '/bin/metrics-server' });
    for (const manifest of kwokctl?.options.metricsServerManifests as string[]) expect(manifest).toMatch(/^\//);
    const patch = (kwokctl?.componentsPatches as { name: string; extraArgs: { key: string; value: string }[] }[]).find((p) => p.name === 'metrics-server');
    expect(patch?.extraArgs).toEqual(expect.arrayContaining([{ key: 'metric-resolution', value: '10s' }, { key: 'kubelet-preferred-address-types', value: 'InternalIP' }]));
    expect(docs.filter((d) => d.kind === 'ClusterResourceUsage')).toHaveLength(1);
    // kwok's kubelet metrics, with the nodes' own usage: an empty node still has numbers for `kubectl top node`.
    const metric = docs.find((d) => d.kind === 'Metric');
    const node = (metric?.spec.metrics as { name: string; value: string }[]).find((m) => m.name === 'node_cpu_usage_seconds_total');
    expect(node?.value).toBe('node.CumulativeUsage("cpu") + 0.0999 * node.SinceSecond()');
  });

  test("metrics-server's manifest has its APIService and Service only (kwokctl points the Service at the process)", () => {
    const files = metricsServerManifest();
    const kinds = Object.entries(files)
      .filter(([name]) => name !== 'kustomization.yaml')
      .map(([, text]) => (parse(text) as { kind: string }).kind);
    expect(kinds.sort()).toEqual(['APIService', 'Service']);
    expect((parse(files['kustomization.yaml'] as string) as { resources: string[] }).resources).toEqual(['apiservice.yaml', 'service.yaml']);
  });

  test('per-pod usage: a container annotation first, then the pod annotation shared among the rest, then idle', () => {
    const cpu = usageExpression('cpu');
    expect(cpu.indexOf('"ckad-lab.dev/cpu-" + container.name')).toBeLessThan(cpu.indexOf('"ckad-lab.dev/cpu" in'));
    expect(cpu).toContain('/ size(pod.spec.containers.filter(c, !(("ckad-lab.dev/cpu-" + c.name) in pod.metadata.annotations)))');
    expect(usageExpression('memory')).toContain('Quantity("4Mi")');
    expect(JSON.stringify(clusterResourceUsage())).not.toContain('selector');
  });
});

describe('user binaries', () => {
  test('a CKAD_LAB_BIN_DIR without metrics-server and helm takes them from the cache (built there once)', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok', 'kwokctl']) {
      await writeFile(join(bin, name), '#!/bin/sh\n');
      await chmod(join(bin, name), 0o755);
    }
    process.env.CKAD_LAB_BIN_DIR = bin;
    process.env.CKAD_LAB_CACHE_DIR = join(dir, 'cache');
    const paths = await userBinaries({});
    expect(paths?.kubectl).toBe(join(bin, 'kubectl'));
    expect(paths?.helm).toBe(join(componentBinDir('helm'), 'helm'));
    expect(paths?.['metrics-server']).toBe(join(componentBinDir('metrics-server'), 'metrics-server'));
    // Named explicitly but missing: an error, not a silent build.
    await expect(userBinaries({ helm: join(dir, 'nope') })).rejects.toThrow(`helm (${join(dir, 'nope')} is not an executable file)`);
  });

  test('helm missing where it should be: a clear error, not a crash', async () => {
    await expect(runHelm(join(dir, 'no-helm'), ['version'])).rejects.toThrow(`helm is not at ${join(dir, 'no-helm')}.`);
  });
});

describe('sandbox env', () => {
  test('exports KUBECONFIG and the Helm homes under the state dir, kubectl and helm first on PATH', () => {
    const env = sandboxEnv({ kubectl: '/cache/kubernetes/kubectl', helm: '/cache/helm/helm' } as BinaryPaths);
    const state = join(dir, 'state');
    expect(env).toContain(`export KUBECONFIG=${state}/sandbox/kubeconfig\n`);
    for (const [name, sub] of [['HELM_CONFIG_HOME', 'config'], ['HELM_CACHE_HOME', 'cache'], ['HELM_DATA_HOME', 'data']]) expect(env).toContain(`export ${name}=${state}/sandbox/helm/${sub}\n`);
    expect(env).toContain('export PATH=/cache/kubernetes:/cache/helm:"$PATH"\n');
  });
});

describe('the pid-file lock', () => {
  test('holds our pid from the moment it exists; a second taker waits for the first', async () => {
    const path = join(dir, 'x.lock');
    const release = await acquirePidLock(path, () => {});
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    // Another "process" (the same pid here: owners are told apart by pid) waits until the lock is released.
    let waitedFor: number | undefined;
    let second = false;
    const taking = acquirePidLock(path, (owner) => (waitedFor = owner), 20).then((r) => ((second = true), r));
    await poll(() => waitedFor, { timeoutMs: 2000, intervalMs: 5 });
    expect(waitedFor).toBe(process.pid);
    expect(second).toBe(false);
    await release();
    await (await taking)();
    expect(second).toBe(true);
  });

  test('a lock whose owner is gone is taken over', async () => {
    const path = join(dir, 'x.lock');
    await writeFile(path, '999999999\n');
    const release = await acquirePidLock(path, () => {
      throw new Error('must not wait for a dead owner');
    });
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    await release();
  });
});
