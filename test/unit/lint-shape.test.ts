// tasks lint reports the engine's structural check problems too, at the check's position; grading refuses the
// same checks with the same words (one rule, one place).
import { expect, test } from 'vitest';
import { gradeTask } from '../../graders/engine.ts';
import { lintTask } from '../../tasks/lint.ts';
import { FakeReader, fakeClock, makeTask } from './fake-reader.ts';

const task = makeTask([
  { name: 'a', points: 1, object: { kind: 'Deploymnet', name: 'web' }, expect: {} },
  { name: 'b', points: 1, object: { kind: 'Node', name: 'node01', namespace: 'x' }, expect: {} },
  { name: 'c', points: 1, list: { kind: 'Pod' } },
  { name: 'd', points: 1, list: { kind: 'Pod', selector: 'app in (web' }, count: 1 },
  { name: 'e', points: 1, object: { kind: 'Pod', name: 'web' }, expect: { spec: { replicas: { $gte: 'x' } } } },
]);

test('unknown kind, namespace on a cluster-scoped kind, a list check that passes for anything, a bad selector', () => {
  const messages = lintTask(task, 'x.yaml').map((p) => `${p.path}: ${p.message}`);
  expect(messages).toEqual(expect.arrayContaining([
    expect.stringMatching(/^checks\[0\]: kind: .*Deploymnet/),
    expect.stringMatching(/^checks\[1\]: namespace: Node is cluster-scoped/),
    expect.stringMatching(/^checks\[2\]: list: give count, every or some/),
    expect.stringMatching(/^checks\[3\]: list\.selector/),
    'checks[4].expect: spec.replicas: $gte needs a number, got x',
  ]));
});

test('grading refuses each such check with the message lint gives', async () => {
  const problems = lintTask(task, 'x.yaml');
  const result = await gradeTask(task, { reader: new FakeReader([]), ...fakeClock() });
  for (const [i, check] of result.checks.entries()) {
    // (Lint's own rule about literal namespaces is not the engine's.)
    const own = problems.filter((p) => p.path.startsWith(`checks[${i}]`) && !p.path.endsWith('.namespace'));
    expect(own.length).toBeGreaterThan(0);
    expect(check.points).toBe(0);
    for (const p of own) expect(check.error).toContain(p.message);
  }
});
