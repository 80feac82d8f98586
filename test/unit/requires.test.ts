// `requires`: a check that holds before the candidate acts ("leave the Service as it is") earns its points
// only together with the work it guards, so an untouched task scores 0 and a solved one full marks.
import { describe, expect, test } from 'vitest';
import { gradeTask } from '../../graders/engine.ts';
import { lintTask } from '../../tasks/lint.ts';
import { FakeReader, makeTask, NS } from './fake-reader.ts';

const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hello', namespace: NS }, spec: { selector: { app: 'hello' } } };
const canary = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hello-canary', namespace: NS }, spec: { replicas: 1 } };
const checks = [
  { name: 'canary exists with 1 replica', points: 2, object: { kind: 'Deployment', name: 'hello-canary' }, expect: { spec: { replicas: 1 } } },
  { name: 'Service selector left as it was', points: 1, object: { kind: 'Service', name: 'hello' }, expect: { spec: { selector: { app: 'hello' } } }, requires: ['canary exists with 1 replica'] },
];

describe('requires', () => {
  test('untouched: the guarded check holds but earns nothing, and says why', async () => {
    const result = await gradeTask(makeTask(checks), { reader: new FakeReader([service]) });
    expect(result.score).toBe(0);
    const guarded = result.checks[1];
    expect(guarded?.passed).toBe(false);
    expect(guarded?.points).toBe(0);
    expect(guarded?.message).toContain('"canary exists with 1 replica"');
  });

  test('solved: both checks earn their points', async () => {
    const result = await gradeTask(makeTask(checks), { reader: new FakeReader([service, canary]) });
    expect(result.score).toBe(3);
    expect(result.checks.every((c) => c.passed)).toBe(true);
  });

  test('work done but the guarded thing broken: only the work counts', async () => {
    const changed = { ...service, spec: { selector: { app: 'other' } } };
    const result = await gradeTask(makeTask(checks), { reader: new FakeReader([changed, canary]) });
    expect(result.score).toBe(2);
    expect(result.checks[1]?.path).toBe('spec.selector.app');
  });

  test('lint: unknown names, self-reference, and ungated unchanged checks', () => {
    const task = makeTask([
      { name: 'a', points: 1, object: { kind: 'Pod', name: 'p' }, expect: {}, requires: ['missing'] },
      { name: 'b', points: 1, object: { kind: 'Pod', name: 'p' }, expect: {}, requires: ['b'] },
      { name: 'c', points: 1, unchanged: { kind: 'Service', name: 'hello', paths: ['spec.selector'] } },
    ]);
    const messages = lintTask(task, 'x.yaml').map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/checks\[0\]\.requires\[0\]: no check named "missing"/),
      expect.stringMatching(/checks\[1\]\.requires\[0\]: a check cannot require itself/),
      expect.stringMatching(/checks\[2\]\.unchanged: an unchanged check passes on the untouched setup/),
    ]));
  });
});
