// Setting a task up again purges its namespace and creates it anew under the same name at once. The namespace
// controller must never take part: it acts on a deleted namespace 5 s later, by name, and used to delete the
// new namespace's objects while a setup was creating them (issue 12 items 4 and 27: recreate-strategy's setup
// waited 60 s for a Deployment that was gone).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { rolloutComplete } from '../../cli/lab/runner.ts';
import { MANAGED_BY } from '../../sandbox/kube.ts';
import { createNamespace, namespaceTerminating } from '../../sandbox/namespaces.ts';
import { removeNamespaces } from '../../sandbox/sandbox.ts';
import { sandboxEnv, sandboxKube, waitFor } from './helpers.ts';

type Namespace = { metadata: { name: string; uid: string; deletionTimestamp?: string }; spec?: { finalizers?: string[] } };

const deployment = (ns: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'monolith', namespace: ns },
  spec: { replicas: 3, selector: { matchLabels: { app: 'monolith' } }, template: { metadata: { labels: { app: 'monolith' } }, spec: { containers: [{ name: 'monolith', image: 'kelseyhightower/monolith:1.0.0' }] } } },
});

describe('purging a namespace for a new setup', () => {
  test('the namespace is never deleted while it still carries the finalizer that hands it to the namespace controller', async () => {
    const kube = sandboxKube();
    const name = `purge-${randomBytes(3).toString('hex')}`;
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [MANAGED_BY.key]: MANAGED_BY.value } } });
    await kube.create(deployment(name) as never);
    const watch = spawn('kubectl', ['get', 'namespace', name, '--watch', '-o', 'json'], { env: sandboxEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    watch.stdout.on('data', (d: Buffer) => (text += d));
    const seen = () =>
      text
        .split(/\n(?=\{)/)
        .filter((t) => t.trim())
        .map((t) => JSON.parse(t) as Namespace);
    try {
      await waitFor('the watch to start', async () => seen().length > 0);
      await removeNamespaces(kube, [name]);
      const versions = await waitFor('the watch to see the deletion', async () => (seen().some((n) => n.metadata.deletionTimestamp) ? seen() : undefined));
      const handedToController = versions.filter((n) => n.metadata.deletionTimestamp && (n.spec?.finalizers ?? []).includes('kubernetes'));
      expect(handedToController).toEqual([]);
      expect(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name })).toBeUndefined();
    } finally {
      watch.kill();
    }
  });

  test('a write into a terminating namespace is refused with the cause setup retries on, and only that is', async () => {
    const kube = sandboxKube();
    const name = `purge-${randomBytes(3).toString('hex')}`;
    await createNamespace(kube, { name, labels: { [MANAGED_BY.key]: MANAGED_BY.value } });
    // A finalizer nobody removes keeps the namespace terminating until the test removes it.
    const held = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: name, finalizers: ['ckad-lab.dev/test-hold'] } };
    await kube.create(held);
    // Deleted the ordinary way: the namespace controller empties it, and cannot while the ConfigMap holds.
    await kube.deleteManagedNamespace(name);
    try {
      await waitFor('the namespace to be terminating', async () => (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name }))?.metadata?.deletionTimestamp);
      // Admission reads a cache, which may take a moment to see the deletion: a write may still get in until then.
      const refusal = await waitFor('the refusal', async () =>
        kube.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'late-', namespace: name } }).then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
      expect((refusal as Error).message).toMatch(/being terminated/);
      expect(namespaceTerminating(refusal)).toBe(true);
      // Another refusal of the same admission (the namespace does not exist) is not that.
      const other = await kube.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: `${name}-absent` } }).catch((error: unknown) => error);
      expect(namespaceTerminating(other)).toBe(false);
    } finally {
      await kube.patch({ ...held, metadata: { ...held.metadata, finalizers: [] } }, 'merge', 'release the test finalizer', { metadata: { finalizers: null } });
      await removeNamespaces(kube, [name]);
    }
  });

  test('purge and set up again, over and over, several at once: every new Deployment survives and rolls out', async () => {
    const kube = sandboxKube();
    const names = Array.from({ length: 3 }, () => `purge-${randomBytes(3).toString('hex')}`);
    const slow: string[] = [];
    await Promise.all(
      names.map(async (name) => {
        for (let round = 0; round < 5; round++) {
          await removeNamespaces(kube, [name]);
          // As setup does: created, and ready for content (the API server's admission may still see the purged one).
          await createNamespace(kube, { name, labels: { [MANAGED_BY.key]: MANAGED_BY.value } });
          await kube.create(deployment(name) as never);
          const started = Date.now();
          const done = await waitFor(
            `${name} round ${round} to roll out`,
            async () => {
              const d = await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: name, name: 'monolith' });
              return !d ? 'gone' : rolloutComplete(d) ? 'done' : undefined;
            },
            20_000,
            50,
          ).catch(() => 'stuck');
          if (done !== 'done') slow.push(`${name} round ${round}: ${done} after ${Date.now() - started} ms`);
        }
        await removeNamespaces(kube, [name]);
      }),
    );
    expect(slow).toEqual([]);
  }, 600_000);
});
