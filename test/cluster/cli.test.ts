// The headless CLI as an instructor or a CI job uses it, against the real sandbox.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, inject, test } from 'vitest';
import { GradeReport } from '../../graders/result.ts';
import { ckadLab, kubectl, sandboxKube } from './helpers.ts';

const randomPrefix = () => `c${Math.random().toString(36).slice(2, 7)}`;

describe('setup and grade', () => {
  test('grade --json keeps the contract shape; a correct answer gets full marks, only in its own prefix', async () => {
    const alice = randomPrefix();
    const bob = randomPrefix();
    for (const prefix of [alice, bob]) {
      const setup = await ckadLab(['setup', 'configmap-from-literals', '--prefix', prefix, '--json']);
      expect(setup.stderr).toBe('');
      const [prepared] = JSON.parse(setup.stdout) as [{ namespace: string; instructions: string }];
      expect(prepared.namespace).toBe(`${prefix}-config-lab`);
      expect(prepared.instructions).toContain(`${prefix}-config-lab`);
    }
    // Alice solves it; Bob does not.
    await kubectl('create', 'configmap', 'app-config', '--from-literal=APP_COLOR=blue', '--from-literal=APP_MODE=prod', '-n', `${alice}-config-lab`);

    const graded = await ckadLab(['grade', 'configmap-from-literals', '--prefix', alice, '--json']);
    expect(graded.code).toBe(0);
    const raw = JSON.parse(graded.stdout) as { complete?: unknown; ungraded?: unknown };
    // The contract: the GradeReport, plus whether every check could be graded (additive).
    expect(Object.keys(raw).sort()).toEqual(['complete', 'maxScore', 'percent', 'score', 'tasks', 'ungraded']);
    expect(raw).toMatchObject({ complete: true, ungraded: 0 });
    const report = GradeReport.parse(raw);
    expect(report.percent).toBe(100);
    const check = report.tasks[0]?.checks[0];
    expect(Object.keys(check ?? {})).toEqual(expect.arrayContaining(['name', 'points', 'maxPoints', 'passed']));

    const bobs = GradeReport.parse(JSON.parse((await ckadLab(['grade', 'configmap-from-literals', '--prefix', bob, '--json'])).stdout));
    expect(bobs.score).toBe(0);
    const failed = bobs.tasks[0]?.checks.find((c) => !c.passed);
    expect(failed?.expected).toBeTruthy();
    expect(failed?.actual).toBeTruthy();
    expect(failed?.path).toBeTruthy();

    const junitFile = join(inject('stateDir'), `${bob}.xml`);
    await ckadLab(['grade', 'configmap-from-literals', '--prefix', bob, '--junit', junitFile]);
    const junit = await readFile(junitFile, 'utf8');
    expect(junit).toMatch(/^<\?xml/);
    expect(junit).toContain('<failure');

    await ckadLab(['sandbox', 'reset']);
  });

  test('setup refuses an unknown task id and a bad prefix, naming them', async () => {
    const unknown = await ckadLab(['setup', 'no-such-task']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no-such-task');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const badPrefix = await ckadLab(['setup', 'configmap-from-literals', '--prefix', 'Alice_1']);
    expect(badPrefix.code).toBe(2);
    expect(badPrefix.stderr).toContain('--prefix "Alice_1"');
  });
});

describe('could not grade', () => {
  test('credentials the API server rejects give errors on every check, never a silent zero', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(inject('kubeconfig'));
    const cluster = kc.getCurrentCluster();
    const broken = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'broken', cluster: { server: cluster?.server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'broken', user: { token: 'not-a-valid-token' } }],
      contexts: [{ name: 'broken', context: { cluster: 'broken', user: 'broken' } }],
      'current-context': 'broken',
    };
    const path = join(inject('stateDir'), 'broken-kubeconfig');
    await writeFile(path, JSON.stringify(broken));
    const graded = await ckadLab(['grade', 'secret-env', '--context', 'broken', '--json'], { KUBECONFIG: path });
    expect(graded.code).toBe(3);
    const raw = JSON.parse(graded.stdout) as { complete?: unknown; ungraded?: unknown };
    const report = GradeReport.parse(raw);
    const checks = report.tasks.flatMap((t) => t.checks);
    // Every check errored: the score reads 0, and the report says it is not one.
    expect(raw).toMatchObject({ complete: false, ungraded: checks.length });
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) {
      expect(c.error).toMatch(/401|Unauthorized/i);
      expect(c.passed).toBe(false);
    }
  });

  test('grade does not change the cluster it reads', async () => {
    const before = await kubectl('get', 'namespaces', '-o', 'name');
    await ckadLab(['grade', 'rollback-to-revision', '--prefix', randomPrefix()]);
    expect(await kubectl('get', 'namespaces', '-o', 'name')).toBe(before);
    expect(sandboxKube().ownedBySandbox).toBe(true);
  });
});
