// `access` checks: what a user or ServiceAccount may do, asked of the API server's authorizer with a
// SubjectAccessReview (created and answered, never stored). RBAC tasks are graded by effect, however the
// Roles and bindings are written. A review the credentials may not create (401/403) is "could not grade".
import { resourceProblems } from '../kinds.ts';
import type { Failure } from '../match.ts';
import type { AccessQuery, ClusterReader } from '../reader.ts';
import type { AccessCheck, AccessRule } from '../../tasks/schema.ts';

const ROW_FIELDS = ['verb', 'resource', 'group', 'name', 'allowed'] as const;

/** Authoring problems of an access check the schema cannot see. */
export function accessCheckProblems(access: AccessCheck): string[] {
  const problems: string[] = [];
  if ((access.serviceAccount === undefined) === (access.user === undefined)) problems.push('access: give the subject as either `serviceAccount` or `user`');
  if (access.serviceAccount !== undefined && access.groups !== undefined) problems.push('access.groups: a ServiceAccount\'s groups are known (system:serviceaccounts, system:serviceaccounts:NS): give groups only with `user`');
  if (access.serviceAccount !== undefined && (access.namespace === '*' || access.serviceAccount.includes(':'))) {
    problems.push('access.serviceAccount: a name in `namespace` (not `*`); for another namespace\'s ServiceAccount write user: system:serviceaccount:NS:NAME');
  }
  const inline = ROW_FIELDS.filter((f) => access[f] !== undefined);
  if (access.rules !== undefined && inline.length > 0) problems.push(`access: give the rows as \`rules\` or one row inline, not both (inline: ${inline.join(', ')})`);
  if (access.rules === undefined && (access.verb === undefined || access.resource === undefined || access.allowed === undefined)) {
    problems.push('access: give `rules` (a list of {verb, resource, allowed}) or one row inline with verb, resource and allowed');
  }
  for (const row of access.rules ?? (access.resource !== undefined ? [{ resource: access.resource, group: access.group }] : [])) {
    for (const p of resourceProblems(row.resource, row.group)) problems.push(`access: ${p}`);
  }
  return problems;
}

/** The rows of a check: its `rules`, or the one written inline. */
function rows(access: AccessCheck): AccessRule[] {
  if (access.rules) return access.rules;
  const { verb, resource, group, name, allowed } = access;
  return [{ verb: verb ?? '', resource: resource ?? '', allowed: allowed ?? false, ...(group !== undefined && { group }), ...(name !== undefined && { name }) }];
}

/** `deployments.apps` → deployments in apps; `pods/log` → subresource log; an explicit group wins. */
function parseResource(resource: string, group: string | undefined): { resource: string; subresource?: string; group: string } {
  const [base = resource, subresource] = resource.split('/', 2);
  const dot = base.indexOf('.');
  const name = dot >= 0 ? base.slice(0, dot) : base;
  const impliedGroup = dot >= 0 ? base.slice(dot + 1) : '';
  return { resource: name, group: group ?? impliedGroup, ...(subresource !== undefined && { subresource }) };
}

/** How a failure names one question: `create deployments.apps in rbac-lab`. */
function describeQuestion(q: AccessQuery): string {
  const resource = `${q.resource}${q.group ? `.${q.group}` : ''}${q.subresource ? `/${q.subresource}` : ''}${q.name ? ` ${q.name}` : ''}`;
  return `${q.verb} ${resource} ${q.namespace ? `in ${q.namespace}` : 'in all namespaces'}`;
}

export async function accessCheck(access: AccessCheck, mainNamespace: string, reader: ClusterReader): Promise<Failure[]> {
  const [problem] = accessCheckProblems(access);
  if (problem) throw new Error(problem);
  if (!reader.reviewAccess) throw new Error('this cluster reader cannot ask the API server about access (no reviewAccess)');
  const review = reader.reviewAccess.bind(reader);
  const namespace = access.namespace ?? mainNamespace;
  const subject = access.serviceAccount !== undefined
    ? {
        user: `system:serviceaccount:${namespace}:${access.serviceAccount}`,
        // What the API server's authenticator gives a ServiceAccount token, so group bindings count too.
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      }
    : { user: access.user ?? '', groups: [...new Set([...(access.groups ?? []), 'system:authenticated'])] };
  const who = access.serviceAccount !== undefined ? `ServiceAccount ${namespace}/${access.serviceAccount}` : subject.user;

  const questions = rows(access).flatMap((row) => {
    const ns = row.namespace ?? namespace;
    const verbs = Array.isArray(row.verb) ? row.verb : [row.verb];
    return verbs.map((verb) => ({
      want: row.allowed,
      query: { ...subject, verb, ...parseResource(row.resource, row.group), ...(row.name !== undefined && { name: row.name }), ...(ns !== '*' && { namespace: ns }) } satisfies AccessQuery,
    }));
  });
  const answers = await Promise.all(questions.map((q) => review(q.query)));
  const failures: Failure[] = [];
  questions.forEach(({ want, query }, i) => {
    const answer = answers[i];
    if (!answer || answer.allowed === want) return;
    const why = [answer.reason, answer.evaluationError && `evaluation error: ${answer.evaluationError}`].filter(Boolean).join('; ');
    const actual = `${answer.allowed ? 'allowed' : 'denied'}${why ? ` (${why})` : ''}`;
    failures.push({
      path: `can ${who} ${describeQuestion(query)}`,
      expected: want ? 'allowed' : 'denied',
      actual,
      message: want
        ? `${who} may not ${describeQuestion(query)}, but should${why ? `: ${why}` : ''}`
        : `${who} may ${describeQuestion(query)}, but should not${why ? ` (${why})` : ''}`,
    });
  });
  return failures;
}
