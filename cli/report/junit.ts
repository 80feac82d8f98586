// A grade report as JUnit XML, for CI dashboards: one <testsuite> per task, one <testcase> per check.
// A failed check is a <failure> carrying expected and actual; a check that could not be graded is an
// <error>, so infrastructure trouble never reads as a wrong answer.
import type { CheckResult, GradeReport } from '../../graders/result.ts';
import { checkErrorText, checkExplanation, domainTitle, lateChangeText, type TaskMeta } from './summary.ts';

// Characters XML 1.0 cannot carry at all, escaped or not (control characters, lone surrogates, U+FFFE/F).
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export const xmlText = (s: string): string => s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const xmlAttr = (s: string): string =>
  xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

const attrs = (a: Record<string, string | number>): string =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

function testcase(check: CheckResult, classname: string): string {
  const open = `    <testcase${attrs({ name: check.name, classname, assertions: check.maxPoints, time: 0 })}`;
  if (check.error !== undefined) {
    return `${open}>\n      <error${attrs({ message: checkErrorText(check.error), type: 'CouldNotGrade' })}>${xmlText(check.error)}</error>\n    </testcase>`;
  }
  if (check.passed) return `${open}/>`;
  const body = [
    check.path !== undefined ? `path: ${check.path}` : undefined,
    `expected: ${check.expected ?? '(nothing)'}`,
    `actual: ${check.actual ?? '(nothing)'}`,
    check.message !== undefined ? `hint: ${check.message}` : undefined,
    `points: ${check.points}/${check.maxPoints}`,
  ].filter((l) => l !== undefined);
  return `${open}>\n      <failure${attrs({ message: checkExplanation(check), type: 'CheckFailed' })}>${xmlText(body.join('\n'))}</failure>\n    </testcase>`;
}

export type JUnitOptions = { name?: string; timestamp?: number };

/** Valid JUnit XML for `report`; `meta` supplies titles and domains (tasks without meta still appear). */
export function toJUnit(report: GradeReport, meta: readonly TaskMeta[], options: JUnitOptions = {}): string {
  const metaOf = new Map(meta.map((m) => [m.id, m]));
  const count = (pred: (c: CheckResult) => boolean) => report.tasks.reduce((n, t) => n + t.checks.filter(pred).length, 0);
  const suites = report.tasks.map((task) => {
    const m = metaOf.get(task.id);
    const classname = `ckad-lab.${m?.domain ?? 'task'}.${task.id}`;
    const failures = task.checks.filter((c) => c.error === undefined && !c.passed).length;
    const errors = task.checks.filter((c) => c.error !== undefined).length;
    const suiteAttrs: Record<string, string | number> = { name: m ? `${task.id}: ${m.title}` : task.id, tests: task.checks.length, failures, errors, skipped: 0, time: 0 };
    if (options.timestamp !== undefined) suiteAttrs.timestamp = new Date(options.timestamp).toISOString().slice(0, 19);
    const properties = [
      `      <property${attrs({ name: 'score', value: `${task.score}/${task.maxScore}` })}/>`,
      ...(m ? [`      <property${attrs({ name: 'domain', value: domainTitle(m.domain) })}/>`, `      <property${attrs({ name: 'namespace', value: m.namespace })}/>`] : []),
      ...(task.changedAfterEnd?.length ? [`      <property${attrs({ name: 'changed-after-end', value: task.changedAfterEnd.map(lateChangeText).join('; ') })}/>`] : []),
    ];
    return [
      `  <testsuite${attrs(suiteAttrs)}>`,
      '    <properties>',
      ...properties,
      '    </properties>',
      ...task.checks.map((c) => testcase(c, classname)),
      '  </testsuite>',
    ].join('\n');
  });
  const root = attrs({
    name: options.name ?? 'ckad-lab',
    tests: count(() => true),
    failures: count((c) => c.error === undefined && !c.passed),
    errors: count((c) => c.error !== undefined),
    time: 0,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${root}>\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}
