// The first write into a namespace set up again: the API server's namespace admission judges it from a cache
// that can still hold the purged namespace of the same name, terminating, for a moment. Setup retries exactly
// that refusal, and no other.
import { describe, expect, it } from 'vitest';
import { CouldNotGrade, type KubeObject } from '../../graders/reader.ts';
import { createDefaultServiceAccount } from '../../sandbox/namespaces.ts';
import { ApiError } from '../../sandbox/kube.ts';

// As Kube.explain wraps the API server's answer (its Status kept as the cause).
const refusal = (message: string, causes: { reason: string }[]) =>
  new CouldNotGrade(`Could not create ServiceAccount default: the API server on context "kwok-ckad-lab" (https://127.0.0.1:1) answered 403 (${message}).`, {
    cause: new ApiError(403, message, { reason: 'Forbidden', message, details: { causes } }),
  });
const terminating = refusal('serviceaccounts "default" is forbidden: unable to create new content in namespace verify-35b4-canary-lab because it is being terminated', [
  { reason: 'NamespaceTerminating' },
]);

function kubeAnswering(...answers: (Error | 'ok')[]) {
  const created: KubeObject[] = [];
  let calls = 0;
  return {
    created,
    calls: () => calls,
    kube: {
      create: async (object: KubeObject) => {
        const answer = answers[Math.min(calls++, answers.length - 1)];
        if (answer instanceof Error) throw answer;
        created.push(object);
        return object;
      },
    },
  };
}

describe('createDefaultServiceAccount', () => {
  it('retries "being terminated" until the cache has caught up', async () => {
    const fake = kubeAnswering(terminating, terminating, 'ok');
    await createDefaultServiceAccount(fake.kube, 'verify-35b4-canary-lab');
    expect(fake.calls()).toBe(3);
    expect(fake.created).toEqual([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'verify-35b4-canary-lab' } }]);
  });

  it('takes one that already exists (the controller was first)', async () => {
    const fake = kubeAnswering(new ApiError(409, 'serviceaccounts "default" already exists'));
    await createDefaultServiceAccount(fake.kube, 'n');
    expect(fake.calls()).toBe(1);
  });

  it('any other refusal fails at once', async () => {
    const forbidden = refusal('serviceaccounts is forbidden: User "x" cannot create resource "serviceaccounts"', []);
    const fake = kubeAnswering(forbidden, 'ok');
    await expect(createDefaultServiceAccount(fake.kube, 'n')).rejects.toBe(forbidden);
    expect(fake.calls()).toBe(1);
  });
});
