// The sandbox's pure parts: image spellings for the pull simulation, the stages, the builder's errors, config.
import { mkdtemp, mkdir, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { knownImageSpellings, loadKnownImages } from '../../sandbox/known-images.ts';
import { buildStages } from '../../sandbox/stages.ts';
import { cachedBinaries, ensureBuilt, userBinaries } from '../../sandbox/build.ts';
import { UserError } from '../../sandbox/errors.ts';
import { loadConfig } from '../../cli/config.ts';

describe('known images', () => {
  const spellings = knownImageSpellings({ nginx: ['latest', '1.27'], 'kelseyhightower/hello': ['1.0.0'], 'registry.k8s.io/pause': ['3.10'] });

  test('Docker Hub official images in every spelling a pod spec may use', () => {
    for (const s of ['nginx', 'nginx:latest', 'nginx:1.27', 'library/nginx:1.27', 'docker.io/nginx:1.27', 'docker.io/library/nginx:1.27']) expect(spellings).toContain(s);
  });

  test('a tag that is not listed is unknown (it will fail to pull)', () => {
    expect(spellings).not.toContain('nginx:1.99');
    expect(spellings).not.toContain('kelseyhightower/hello:3.0.0');
    expect(spellings).not.toContain('kelseyhightower/hello');
  });

  test('user images get docker.io/ but never library/; other registries neither', () => {
    expect(spellings).toContain('docker.io/kelseyhightower/hello:1.0.0');
    expect(spellings).not.toContain('library/kelseyhightower/hello:1.0.0');
    expect(spellings).toContain('registry.k8s.io/pause:3.10');
    expect(spellings).not.toContain('docker.io/registry.k8s.io/pause:3.10');
  });

  test('the shipped list has the images the catalog and the issue name', () => {
    const shipped = loadKnownImages();
    for (const image of ['nginx:1.25', 'nginx:1.29', 'busybox:1.36', 'alpine:3.20', 'redis:7', 'httpd:2.4', 'kelseyhightower/hello:1.0.0', 'kelseyhightower/hello:2.0.0', 'kelseyhightower/auth:1.0.0']) {
      expect(shipped).toContain(image);
    }
  });
});

describe('stages', () => {
  const stages = buildStages(['nginx:1.27', 'busybox:1.36']);

  test('cover the pod lifecycle the docs promise, node stages included', () => {
    expect(stages.map((s) => s.metadata.name)).toEqual(
      expect.arrayContaining(['node-initialize', 'node-heartbeat', 'pod-create', 'pod-image-pull-error', 'pod-image-pull-backoff', 'pod-init-containers-complete', 'pod-start', 'pod-crash', 'pod-crash-restart', 'pod-complete', 'pod-delete']),
    );
  });

  test('the known images are spelled out in the pull-failure selector', () => {
    const pull = stages.find((s) => s.metadata.name === 'pod-image-pull-error');
    expect(JSON.stringify(pull)).toContain('\\"nginx:1.27\\":true');
    expect(JSON.stringify(pull)).not.toContain('nginx:1.99');
  });
});

describe('builder', () => {
  const saved = { ...process.env };
  beforeEach(async () => {
    process.env.CKAD_LAB_CACHE_DIR = await mkdtemp(join(tmpdir(), 'ckad-lab-cache-'));
    delete process.env.CKAD_LAB_BIN_DIR;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test('an empty cache has no binaries', () => {
    expect(cachedBinaries()).toBeUndefined();
  });

  test('without Go: a clear error that says how to get Go or use existing binaries', async () => {
    process.env.PATH = '/nonexistent';
    const error = await ensureBuilt().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/Go is needed once/);
    expect((error as UserError).hint).toContain('CKAD_LAB_BIN_DIR');
  });

  test('CKAD_LAB_BIN_DIR: every binary must be there and executable, and the error names the missing ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckad-lab-bin-'));
    process.env.CKAD_LAB_BIN_DIR = dir;
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok']) {
      await writeFile(join(dir, name), '#!/bin/sh\n');
      await chmod(join(dir, name), 0o755);
    }
    const error = await userBinaries({}).catch((e: unknown) => e);
    expect((error as UserError).message).toContain(`kwokctl (${join(dir, 'kwokctl')} is not an executable file)`);
    await writeFile(join(dir, 'kwokctl'), '#!/bin/sh\n');
    await chmod(join(dir, 'kwokctl'), 0o755);
    expect((await userBinaries({}))?.kwokctl).toBe(join(dir, 'kwokctl'));
  });

  test('no user binaries configured: undefined (build them instead)', async () => {
    expect(await userBinaries({})).toBeUndefined();
  });
});

describe('config.yaml', () => {
  test('every error at file:line:col, and no stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckad-lab-config-'));
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'allowContexts: kind-practice\nbinaries:\n  kube-apiserverr: /usr/bin/x\nextra: 1\n');
    const error = (() => {
      try {
        loadConfig(file);
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toMatch(/config\.yaml:1:\d+ allowContexts/);
    expect(error?.message).toMatch(/config\.yaml:3:\d+ binaries/);
    expect(error?.message).toMatch(/config\.yaml:4:\d+ .*extra/);
  });

  test('a valid file and a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckad-lab-config-'));
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'allowContexts: [kind-practice]\n');
    expect(loadConfig(file).allowContexts).toEqual(['kind-practice']);
    expect(loadConfig(join(dir, 'absent.yaml'))).toEqual({ allowContexts: [], binaries: {} });
  });
});
