// tasks lint for the checks of issue 9: answer files under {{workdir}}, namespaces of access, helm and query
// references written as variables, cluster-scoped setup objects named after a namespace variable.
import { describe, expect, it } from 'vitest';
import { lintTask } from '../../tasks/lint.ts';
import { minimalTask } from './task-fixture.ts';

const lint = (over: Record<string, unknown>) => lintTask(minimalTask(over), 'run-pod.yaml').map((p) => `${p.path}: ${p.message}`);
const withCheck = (check: Record<string, unknown>) => lint({ checks: [{ name: 'c', points: 1, ...check }] });

describe('lint of file, access and helmRelease checks', () => {
  it('an answer file is written under {{workdir}}', () => {
    expect(withCheck({ file: { path: '{{workdir}}/answer.txt', text: 'x' } })).toEqual([]);
    expect(withCheck({ file: { path: '/opt/course/1/answer.txt' } })).toEqual([
      'checks[0].file.path: "/opt/course/1/answer.txt" must be a path under the task\'s working directory, written {{workdir}}/NAME as the instructions show it',
    ]);
    expect(withCheck({ file: { path: '{{workdir}}/../x' } })[0]).toContain('must be a path under the task\'s working directory');
  });

  it('namespaces in access, helmRelease and equalsQuery references must be variables; `*` is all namespaces', () => {
    expect(withCheck({ access: { serviceAccount: 'a', namespace: 'pod-lab', verb: 'get', resource: 'pods', allowed: true } })).toEqual([
      'checks[0].access.namespace: namespace pod-lab is written literally and would not get the candidate\'s prefix: write {{ns}}',
    ]);
    expect(withCheck({ access: { user: 'jane', namespace: '*', rules: [{ verb: 'get', resource: 'pods', namespace: 'pod-lab', allowed: true }] } })).toEqual([
      'checks[0].access.rules[0].namespace: namespace pod-lab is written literally and would not get the candidate\'s prefix: write {{ns}}',
    ]);
    expect(withCheck({ helmRelease: { name: 'shop', namespace: 'pod-lab' }, expect: { status: 'deployed' } })[0]).toContain('checks[0].helmRelease.namespace: namespace pod-lab is written literally');
    expect(withCheck({ file: { path: '{{workdir}}/a', equalsQuery: { list: { kind: 'Pod', namespace: 'pod-lab' } } } })[0]).toContain('checks[0].file.equalsQuery.list.namespace');
    expect(withCheck({ helmRelease: { name: 'shop', namespace: '{{ns}}' }, expect: { status: 'deployed' } })).toEqual([]);
  });

  it('helmRelease expectations are checked like object expectations', () => {
    expect(withCheck({ helmRelease: { name: 'shop' }, expect: { revision: { $gte: 'x' } } })).toEqual(['checks[0].expect: revision: $gte needs a number, got x']);
  });

  it('a cluster-scoped setup object is named after a namespace variable; CRDs are shared', () => {
    const pv = (name: string) => `apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: ${name}\nspec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /tmp/x}}\n`;
    expect(lint({ setup: [{ apply: pv('"{{ns}}-pv"') }] })).toEqual([]);
    expect(lint({ setup: [{ apply: pv('data-pv') }] })).toEqual([
      'setup[0].apply: PersistentVolume data-pv is cluster-scoped: put a namespace variable in its name ({{ns}}-data-pv) so candidates sharing a cluster do not collide',
    ]);
    const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: backups.ops.ckad-lab.dev\n';
    expect(lint({ setup: [{ apply: crd }] })).toEqual([]);
  });
});

describe('lint: access checks that only deny', () => {
  it('need requires, since nothing granted already passes them', () => {
    const deny = { name: 'no delete', points: 1, access: { serviceAccount: 'd', verb: 'delete', resource: 'pods', allowed: false } };
    const grant = { name: 'may get', points: 1, access: { serviceAccount: 'd', verb: 'get', resource: 'pods', allowed: true } };
    expect(lint({ checks: [grant, deny] })).toEqual([
      'checks[1].access: an access check that only denies passes on the untouched setup: add `requires: [<the check that grants access>]` so it earns points only with that work',
    ]);
    expect(lint({ checks: [grant, { ...deny, requires: ['may get'] }] })).toEqual([]);
  });
});
