import { describe, expect, it } from 'vitest';
import type { GradeReport } from '../../graders/result.ts';
import { toJUnit, xmlAttr, xmlText } from '../../cli/report/junit.ts';
import { summarize, type TaskMeta } from '../../cli/report/summary.ts';
import { renderTextReport } from '../../cli/report/text.ts';
import { historyRecord } from '../../cli/exam/history.ts';
import { reduce } from '../../cli/exam/session.ts';
import { fakeCatalog, halfResult, runningSession } from './exam-fakes.ts';

/** A small XML well-formedness check: balanced tags, quoted attributes, only known entities, no stray `<` or `&`. */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = token.exec(body)) !== null) {
    at = token.lastIndex;
    const [, close, name, attrs, selfClose, text] = m;
    const checked = text ?? attrs ?? '';
    for (const amp of checked.matchAll(/&([^;]*);?/g)) {
      if (!/^(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+)$/.test(amp[1] ?? '') || !amp[0].endsWith(';')) throw new Error(`bad entity ${amp[0]}`);
    }
    if (text !== undefined) {
      if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text}`);
      continue;
    }
    if (close) {
      if (stack.pop() !== name) throw new Error(`unbalanced </${name}>`);
    } else if (!selfClose) stack.push(name ?? '');
  }
  if (at !== body.length) throw new Error(`not XML at ${at}: ${body.slice(at, at + 40)}`);
  if (stack.length !== 0) throw new Error(`unclosed ${stack.join(', ')}`);
}

const meta: TaskMeta[] = [
  { id: 'web-image', title: 'Update <web> & "api"', domain: 'deployment', namespace: 'x1-web', points: 5, solution: 'kubectl set image' },
  { id: 'cfg', title: 'ConfigMap', domain: 'config-security', namespace: 'x1-cfg', points: 4, solution: 'kubectl create cm' },
];
const report: GradeReport = {
  score: 2,
  maxScore: 9,
  percent: 22.2,
  tasks: [
    halfResult('web-image'),
    {
      id: 'cfg',
      score: 0,
      maxScore: 4,
      checks: [{ name: 'configmap <data> & "keys"', points: 0, maxPoints: 4, passed: false, error: 'API 403 Forbidden: user "x" cannot get\u0007 configmaps' }],
    },
  ],
};

describe('toJUnit', () => {
  const xml = toJUnit(report, meta, { timestamp: 0 });

  it('is well-formed, with the counts of tests, failures and errors', () => {
    assertWellFormed(xml);
    expect(xml).toMatch(/<testsuites name="ckad-lab" tests="3" failures="1" errors="1"/);
    expect(xml).toContain('<testsuite name="web-image: Update &lt;web&gt; &amp; &quot;api&quot;" tests="2" failures="1" errors="0"');
  });

  it('a failed check is a <failure> with expected and actual; an ungraded one is an <error>', () => {
    expect(xml).toContain('<failure message="spec.template.spec.containers[web].image: expected nginx:1.27, got nginx:1.25" type="CheckFailed">');
    expect(xml).toContain('expected: nginx:1.27\nactual: nginx:1.25');
    expect(xml).toMatch(/<testcase name="configmap &lt;data&gt; &amp; &quot;keys&quot;"[^>]*>\s*<error message="could not grade: API 403/);
    expect(xml).toMatch(/<testcase name="deployment exists"[^>]*\/>/);
  });

  it('escapes everything XML cannot carry as is', () => {
    expect(xmlText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(xmlAttr(`"it's"\nnext`)).toBe('&quot;it&apos;s&quot;&#10;next');
    expect(xmlText('bell\u0007')).toBe('bell\uFFFD');
    expect(xml).not.toContain('\u0007');
    assertWellFormed(toJUnit({ score: 0, maxScore: 0, percent: 0, tasks: [] }, []));
  });

  it('the checker rejects broken XML (so the well-formedness test can fail)', () => {
    expect(() => assertWellFormed('<a><b></a>')).toThrow();
    expect(() => assertWellFormed('<a x="1 & 2"/>')).toThrow();
    expect(() => assertWellFormed('<a>1 < 2</a>')).toThrow();
  });
});

describe('summary and text report', () => {
  it('pass is at 66%, per domain by points', () => {
    const s = summarize(report, meta);
    expect(s.passed).toBe(false);
    expect(s.domains.map((d) => [d.domain, d.score, d.maxScore])).toEqual([
      ['deployment', 2, 5],
      ['config-security', 0, 4],
    ]);
    expect(s.ungraded).toBe(1);
    const full = summarize({ ...report, tasks: [{ id: 'cfg', score: 4, maxScore: 4, checks: [] }, { id: 'web-image', score: 2, maxScore: 5, checks: [] }] }, meta);
    expect(Math.round(full.percent)).toBe(67);
    expect(full.passed).toBe(true);
  });

  it('the text report has the total, a bar per domain, every check with expected/actual, and the solutions', () => {
    const catalog = fakeCatalog(2);
    const s = reduce(reduce(runningSession(catalog, ['deployment-1'], 0), { type: 'END', at: 60_000, reason: 'timeout' }), {
      type: 'GRADED',
      report: { score: 2, maxScore: 5, percent: 40, tasks: [halfResult('deployment-1')] },
    });
    const record = historyRecord(s);
    if (!record) throw new Error('not graded');
    const text = renderTextReport(record);
    expect(text).toContain('Score 40% (2/5) · FAIL (pass mark 66%)');
    expect(text).toMatch(/Application Deployment\s+\[########------------\]\s+40%/);
    expect(text).toContain('[FAIL] image is nginx:1.27  0/3');
    expect(text).toContain('spec.template.spec.containers[web].image: expected nginx:1.27, got nginx:1.25');
    expect(text).toContain('kubectl -n xabcde-deployment-1 create deployment web --image=nginx:1.27');
    expect(text).toContain('Ended by the clock');
  });
});
