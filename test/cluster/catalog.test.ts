// Every task proves itself on the real sandbox: untouched setup scores 0, the reference solution scores 100%,
// each known-wrong solution scores below 100%. A failure here is a bug in that task (or in the grader).
import { dirname } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { loadCatalog } from '../../tasks/load.ts';
import { verifyTask } from '../../cli/lab/verify.ts';
import { sandboxKube } from './helpers.ts';

const { tasks, errors } = loadCatalog();

describe('task catalog', () => {
  test('loads without errors', () => {
    expect(errors).toEqual([]);
    expect(tasks.length).toBeGreaterThanOrEqual(24);
  });

  // Concurrent: each task works in its own prefixed namespaces; the API server is the only shared thing.
  test.concurrent.each(tasks.map((t) => [t.id, t] as const))('%s verifies on the real cluster', async (_id, task) => {
    const kube = sandboxKube();
    const result = await verifyTask({ kube, workRoot: inject('workDir'), kubectlDir: dirname(inject('kubectlDir') + '/kubectl'), helmDir: inject('helmDir') }, task);
    const failed = result.phases.filter((p) => !p.ok).map((p) => `${p.name}: ${p.detail ?? `${p.score}/${p.maxScore}`}`);
    expect(failed).toEqual([]);
    expect(result.phases.length).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
