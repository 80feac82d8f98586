// `access` checks (SubjectAccessReview through a fake authorizer) and `helmRelease` checks (release Secrets
// built here the way helm stores them: base64 of gzip of JSON, inside the Secret's base64 data).
import { describe, expect, it } from 'vitest';
import { checkIssues } from '../../graders/check-issues.ts';
import { gradeTask } from '../../graders/engine.ts';
import { decodeReleaseSecret, encodeReleaseData } from '../../graders/checks/helm-release.ts';
import { CouldNotGrade, type AccessDecision, type AccessQuery, type KubeObject } from '../../graders/reader.ts';
import { Check } from '../../tasks/schema.ts';
import { FakeReader, NS, fakeClock, makeTask } from './fake-reader.ts';

/** An authorizer over a fixed list of grants: `user verb group/resource namespace`. */
class AuthorizingReader extends FakeReader {
  grants: string[];
  asked: AccessQuery[] = [];
  constructor(grants: string[], objects: KubeObject[] = []) {
    super(objects);
    this.grants = grants;
  }
  async reviewAccess(q: AccessQuery): Promise<AccessDecision> {
    this.asked.push(q);
    if (this.failWith) throw this.failWith;
    const allowed = this.grants.some((g) => {
      const [user, verb, resource, namespace] = g.split(' ');
      return (user === q.user || q.groups?.includes(user ?? '')) && (verb === '*' || verb === q.verb) && resource === `${q.group}/${q.resource}` && (namespace === '*' || namespace === q.namespace);
    });
    return allowed ? { allowed, reason: `RBAC: allowed by RoleBinding "deployer-binding/${NS}"` } : { allowed };
  }
}

const SA = `system:serviceaccount:${NS}:deployer`;
const manage = ['get', 'list', 'watch', 'create', 'update', 'patch'];
const rbacCheck = {
  name: 'deployer manages deployments and nothing more',
  points: 2,
  access: {
    serviceAccount: 'deployer',
    rules: [
      { verb: manage, resource: 'deployments.apps', allowed: true },
      { verb: 'delete', resource: 'deployments', group: 'apps', allowed: false },
      { verb: 'get', resource: 'secrets', allowed: false },
      { verb: 'list', resource: 'deployments.apps', namespace: 'default', allowed: false },
    ],
  },
};
const ctx = (reader: FakeReader) => ({ reader, ...fakeClock() });

describe('access checks', () => {
  it('passes when the authorizer answers every row as the task wants', async () => {
    const reader = new AuthorizingReader(manage.map((v) => `${SA} ${v} apps/deployments ${NS}`));
    const r = await gradeTask(makeTask([rbacCheck]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: true, points: 2 });
    expect(reader.asked).toHaveLength(9);
    expect(reader.asked[0]).toEqual({ user: SA, groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'], verb: 'get', resource: 'deployments', group: 'apps', namespace: NS });
    expect(reader.asked.at(-1)).toMatchObject({ verb: 'list', namespace: 'default' });
    expect(reader.asked.find((q) => q.resource === 'secrets')).toMatchObject({ group: '' });
  });

  it('fails a Role with verbs ["*"]: expected denied, actual allowed, with the reason the API gave', async () => {
    const reader = new AuthorizingReader([`${SA} * apps/deployments ${NS}`]);
    const r = await gradeTask(makeTask([rbacCheck]), ctx(reader));
    expect(r.checks[0]).toMatchObject({
      passed: false,
      path: `can ServiceAccount ${NS}/deployer delete deployments.apps in ${NS}`,
      expected: 'denied',
      actual: `allowed (RBAC: allowed by RoleBinding "deployer-binding/${NS}")`,
    });
    expect(r.checks[0]?.message).toContain(`ServiceAccount ${NS}/deployer may delete deployments.apps in ${NS}, but should not`);
  });

  it('fails a missing grant: expected allowed, actual denied', async () => {
    const reader = new AuthorizingReader(['get', 'list', 'watch'].map((v) => `${SA} ${v} apps/deployments ${NS}`));
    const r = await gradeTask(makeTask([rbacCheck]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: false, path: `can ServiceAccount ${NS}/deployer create deployments.apps in ${NS}`, expected: 'allowed', actual: 'denied' });
  });

  it('counts group bindings: a grant to the namespace\'s ServiceAccounts group applies', async () => {
    const reader = new AuthorizingReader(manage.map((v) => `system:serviceaccounts:${NS} ${v} apps/deployments ${NS}`));
    expect((await gradeTask(makeTask([rbacCheck]), ctx(reader))).checks[0]).toMatchObject({ passed: true });
  });

  it('one row inline, a user with groups, subresources and all namespaces', async () => {
    const reader = new AuthorizingReader(['devs get /pods *']);
    const check = { name: 'jane reads logs', points: 1, access: { user: 'jane', groups: ['devs'], namespace: '*', verb: 'get', resource: 'pods/log', allowed: true } };
    const r = await gradeTask(makeTask([check]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: true });
    expect(reader.asked[0]).toEqual({ user: 'jane', groups: ['devs', 'system:authenticated'], verb: 'get', resource: 'pods', subresource: 'log', group: '' });
  });

  it('a review the API refuses (403) is "could not grade"', async () => {
    const reader = new AuthorizingReader([]);
    reader.failWith = new CouldNotGrade('403 creating subjectaccessreviews');
    expect((await gradeTask(makeTask([rbacCheck]), ctx(reader))).checks[0]?.error).toBe('could not grade: 403 creating subjectaccessreviews');
  });

  it('lint: one subject, and rows as rules or inline', () => {
    const issues = (access: Record<string, unknown>) => checkIssues(Check.parse({ name: 'a', points: 1, access })).map((i) => i.message);
    expect(issues({ serviceAccount: 'a', user: 'b', verb: 'get', resource: 'pods', allowed: true })[0]).toContain('either `serviceAccount` or `user`');
    expect(issues({ serviceAccount: 'a', verb: 'get', resource: 'pods' })[0]).toContain('give `rules`');
    expect(issues({ serviceAccount: 'a', verb: 'get', rules: [{ verb: 'get', resource: 'pods', allowed: true }] })[0]).toContain('not both');
    expect(issues({ serviceAccount: 'a', groups: ['x'], verb: 'get', resource: 'pods', allowed: true })[0]).toContain('groups only with `user`');
    expect(issues({ serviceAccount: 'a', verb: 'get', resource: 'pods', allowed: false })).toEqual([]);
  });

  it('lint: a built-in resource in the singular, capitalised or without its group would ask about nothing', () => {
    const issues = (rules: unknown[]) => checkIssues(Check.parse({ name: 'a', points: 1, access: { serviceAccount: 'd', rules } })).map((i) => i.message);
    const row = (resource: string, group?: string) => ({ verb: 'delete', resource, allowed: false, ...(group !== undefined && { group }) });
    expect(issues([row('deployments')])).toEqual(['access: deployments are in API group apps, not the core group: write resource: deployments.apps (Deployment)']);
    expect(issues([row('deployment.apps')])).toEqual(['access: resource "deployment": write the plural, lowercase resource name deployments.apps']);
    expect(issues([row('Secrets')])).toEqual(['access: resource "Secrets": write the plural, lowercase resource name secrets']);
    expect(issues([row('pods', 'apps')])[0]).toContain('pods are in the core group, not "apps"');
    expect(issues([row('deployments.apps'), row('deployments', 'apps'), row('pods/log'), row('networkpolicies.networking.k8s.io'), row('backups.ops.example.com')])).toEqual([]);
  });
});

/** A release Secret as the API returns it. */
function releaseSecret(name: string, revision: number, status: string, chartVersion: string, config: Record<string, unknown> | null, namespace = NS): KubeObject {
  const release = {
    name,
    namespace,
    version: revision,
    config,
    info: { status, description: status === 'superseded' ? 'Upgrade complete' : 'Install complete', first_deployed: '2026-01-01T00:00:00Z' },
    chart: { metadata: { name: 'webapp', version: chartVersion, appVersion: '1.27', apiVersion: 'v2' }, templates: [], values: { replicaCount: 1 } },
    manifest: '---\n# Source: webapp/templates/deployment.yaml\n',
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: { name: `sh.helm.release.v1.${name}.v${revision}`, namespace, labels: { owner: 'helm', name, version: String(revision), status } },
    data: { release: encodeReleaseData(release) },
  };
}

describe('helmRelease checks', () => {
  const shop = [
    releaseSecret('shop', 1, 'superseded', '0.1.0', { replicaCount: 2 }),
    releaseSecret('shop', 2, 'deployed', '0.2.0', { replicaCount: 3, service: { type: 'NodePort' } }),
    releaseSecret('other', 1, 'deployed', '0.1.0', null),
  ];
  const installed = {
    name: 'shop installed',
    points: 2,
    helmRelease: { name: 'shop' },
    expect: { status: 'deployed', chart: 'webapp', version: '0.2.0', revision: 2, values: { replicaCount: 3, service: { type: 'NodePort' } } },
  };

  it('decodes what helm stores: the API\'s base64 of helm\'s base64 of gzip of JSON', () => {
    const secret = shop[1] as KubeObject;
    const inner = Buffer.from((secret['data'] as { release: string }).release, 'base64').toString('utf8');
    expect(Buffer.from(inner, 'base64').subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 0x08]));
    expect(decodeReleaseSecret(secret)).toMatchObject({ name: 'shop', version: 2, config: { replicaCount: 3 } });
    // Releases stored before helm compressed them: plain JSON under helm's base64.
    const plain = { ...secret, data: { release: Buffer.from(Buffer.from(JSON.stringify({ name: 'shop', version: 1 })).toString('base64')).toString('base64') } };
    expect(decodeReleaseSecret(plain)).toMatchObject({ name: 'shop', version: 1 });
  });

  it('grades the latest revision: status, chart, version, revision and user-supplied values', async () => {
    const reader = new FakeReader(shop);
    const r = await gradeTask(makeTask([installed]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: true, points: 2 });
    expect(reader.calls).toEqual([`list v1 Secret ${NS} owner=helm,name=shop`]);
  });

  it('fails on values with path, expected and actual', async () => {
    const reader = new FakeReader([releaseSecret('shop', 1, 'deployed', '0.2.0', { replicaCount: 2 })]);
    const r = await gradeTask(makeTask([installed]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: false });
    const failures = r.checks[0];
    expect(failures?.message).toMatch(/\(\+\d more\)/);
    const only = await gradeTask(makeTask([{ ...installed, expect: { values: { replicaCount: 3 } } }]), ctx(reader));
    expect(only.checks[0]).toMatchObject({ passed: false, path: 'values.replicaCount', expected: '3', actual: '2' });
  });

  it('a failed latest revision fails `status: deployed`; history shows every revision', async () => {
    const reader = new FakeReader([...shop, releaseSecret('shop', 3, 'failed', '0.3.0', { replicaCount: 3 })]);
    const r = await gradeTask(
      makeTask([
        { ...installed, expect: { status: 'deployed' } },
        { name: 'history', points: 1, helmRelease: { name: 'shop' }, expect: { history: { $findBy: 'revision', items: [{ revision: 1, status: 'superseded' }, { revision: 3, status: 'failed' }] } } },
      ]),
      ctx(reader),
    );
    expect(r.checks[0]).toMatchObject({ passed: false, path: 'status', expected: 'deployed', actual: 'failed' });
    expect(r.checks[1]).toMatchObject({ passed: true });
  });

  it('a release that does not exist is a failure; values are {} when nothing was user-supplied', async () => {
    const r = await gradeTask(makeTask([installed, { name: 'other', points: 1, helmRelease: { name: 'other' }, expect: { values: { replicaCount: { $absent: true } } } }]), ctx(new FakeReader(shop.slice(2))));
    expect(r.checks[0]).toMatchObject({ passed: false, actual: '<missing>' });
    expect(r.checks[0]?.message).toContain(`no Helm release shop in namespace ${NS}`);
    expect(r.checks[1], JSON.stringify(r.checks[1])).toMatchObject({ passed: true });
  });
});
