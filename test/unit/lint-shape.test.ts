// tasks lint reports the engine's structural check problems too, at the check's position.
import { expect, test } from 'vitest';
import { lintTask } from '../../tasks/lint.ts';
import { makeTask } from './fake-reader.ts';

test('unknown kind, namespace on a cluster-scoped kind, a list check that passes for anything, a bad selector', () => {
  const task = makeTask([
    { name: 'a', points: 1, object: { kind: 'Deploymnet', name: 'web' }, expect: {} },
    { name: 'b', points: 1, object: { kind: 'Node', name: 'node01', namespace: 'x' }, expect: {} },
    { name: 'c', points: 1, list: { kind: 'Pod' } },
    { name: 'd', points: 1, list: { kind: 'Pod', selector: 'app in (web' }, count: 1 },
  ]);
  const messages = lintTask(task, 'x.yaml').map((p) => `${p.path}: ${p.message}`);
  expect(messages).toEqual(expect.arrayContaining([
    expect.stringMatching(/^checks\[0\]: kind: .*Deploymnet/),
    expect.stringMatching(/^checks\[1\]: namespace: Node is cluster-scoped/),
    expect.stringMatching(/^checks\[2\]: list: give count, every or some/),
    expect.stringMatching(/^checks\[3\]: list\.selector/),
  ]));
});
