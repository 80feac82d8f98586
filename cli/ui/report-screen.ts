// The report after an exam: total and pass/fail, a bar per domain, and every task with its checks
// (expected and actual) and reference solution.
import { createElement as h, useState, type ReactNode } from 'react';
import { Box, Text, useWindowSize } from 'ink';
import { ungradedChecks } from '../../graders/result.ts';
import { drillOutcome, verdict, type HistoryRecord } from '../exam/history.ts';
import { domainTitle, formatPercent, lateChangesWarning, lateChangeText } from '../report/summary.ts';
import { ACCENT, Bar, CheckList, KeyHints, Rule, ScrollText, wrapText } from './components.ts';
import { useAppActions } from './shared.ts';
import { useKeys } from './hooks.ts';
import { matches } from './keys.ts';

const VERDICT_COLOR = { PASS: 'green', FAIL: 'red', UNGRADED: 'yellow' } as const;

export function ReportScreen(props: { record: HistoryRecord; file: string }): ReactNode {
  const { record } = props;
  const app = useAppActions();
  const { columns } = useWindowSize();
  const [selected, setSelected] = useState(0);
  const [solution, setSolution] = useState(false);
  const width = Math.max(60, columns - 1);
  const listWidth = Math.min(40, Math.floor(width * 0.38));
  useKeys((input, key) => {
    if (matches(input, key, 'INTERRUPT') || matches(input, key, 'QUIT')) app.exit({ kind: 'finished', record, file: props.file });
    else if (matches(input, key, 'UP')) setSelected((s) => Math.max(0, s - 1));
    else if (matches(input, key, 'DOWN')) setSelected((s) => Math.min(record.tasks.length - 1, s + 1));
    else if (matches(input, key, 'SOLUTION')) setSolution((s) => !s);
  });
  const titleWidth = Math.max(...record.domains.map((d) => domainTitle(d.domain).length));
  const meta = record.tasks[selected];
  const result = meta ? record.report.tasks.find((t) => t.id === meta.id) : undefined;
  const late = lateChangesWarning(record.report);
  const ungraded = ungradedChecks(record.report);
  const ended = record.reason === 'timeout' ? "time's up" : record.reason === 'abandoned' ? 'abandoned' : 'finished';
  return h(
    Box,
    { flexDirection: 'column', width },
    h(Text, { bold: true }, record.kind === 'exam' ? 'CKAD mock exam' : 'CKAD drill', h(Text, { dimColor: true }, `  ·  ${record.id}  ·  ${ended}${record.regradedAt ? `  ·  re-graded ${new Date(record.regradedAt).toTimeString().slice(0, 5)}` : ''}`)),
    record.drill
      ? h(
          Text,
          null,
          'First check ',
          h(Text, { bold: true }, formatPercent(record.percent)),
          h(Text, { dimColor: true }, `  (${record.score}/${record.maxScore}), the drill's score  ·  ${drillOutcome(record.drill)}`),
        )
      : h(
          Text,
          null,
          'Score ',
          h(Text, { bold: true }, formatPercent(record.percent)),
          h(Text, { dimColor: true }, `  (${record.score}/${record.maxScore})  `),
          h(Text, { color: VERDICT_COLOR[verdict(record)], bold: true }, verdict(record)),
          h(Text, { dimColor: true }, `  pass mark ${record.passPercent}%`),
        ),
    late ? h(Text, { color: 'yellow' }, late) : null,
    ungraded
      ? h(Text, { color: 'yellow' }, `${ungraded} check${ungraded === 1 ? '' : 's'} could not be graded (marked !): the score may be too low, so this attempt is left out of your weakest domains. Its namespaces are kept: it is re-graded at the next start once the cluster answers, or now with ckad-lab report ${record.id} --regrade.`)
      : null,
    h(Rule, { width }),
    ...record.domains.map((d) =>
      h(
        Text,
        { key: d.domain },
        `${domainTitle(d.domain).padEnd(titleWidth)}  `,
        h(Bar, { percent: d.percent, color: d.percent >= record.passPercent ? 'green' : 'yellow' }),
        ` ${formatPercent(d.percent).padStart(6)}`,
        h(Text, { dimColor: true }, `  ${d.score}/${d.maxScore}`),
      ),
    ),
    h(Rule, { width }),
    h(
      Box,
      null,
      h(
        Box,
        { flexDirection: 'column', width: listWidth, marginRight: 1 },
        ...record.tasks.map((t, i) => {
          const r = record.report.tasks.find((x) => x.id === t.id);
          const score = r?.score ?? 0;
          const max = r?.maxScore ?? t.points;
          const mark = score >= max && max > 0 ? h(Text, { color: 'green' }, '✓') : score > 0 ? h(Text, { color: 'yellow' }, '~') : h(Text, { color: 'red' }, '✗');
          const label = `${String(i + 1).padStart(2)} ${t.title}`;
          const room = listWidth - 9;
          return h(
            Text,
            { key: t.id, wrap: 'truncate-end' },
            h(Text, { color: ACCENT, bold: true }, i === selected ? '›' : ' '),
            mark,
            h(Text, { bold: i === selected }, ` ${label.length > room ? `${label.slice(0, room - 1)}…` : label.padEnd(room)}`),
            h(Text, { dimColor: true }, `${score}/${max}`.padStart(6)),
          );
        }),
      ),
      meta
        ? h(
            Box,
            { flexDirection: 'column', width: width - listWidth - 1, borderStyle: 'single', borderTop: false, borderBottom: false, borderRight: false, borderDimColor: true, paddingLeft: 1 },
            h(Text, { bold: true, wrap: 'truncate-end' }, `${selected + 1}. ${meta.title}`, h(Text, { dimColor: true }, `  ${meta.id} · ${domainTitle(meta.domain)} · ${meta.namespace}`)),
            result ? h(CheckList, { checks: result.checks }) : h(Text, { color: 'yellow' }, 'Not graded.'),
            ...(result?.changedAfterEnd ?? []).map((c, i) => h(Text, { key: `late${i}`, color: 'yellow' }, `⚠ changed after the end: ${lateChangeText(c)}`)),
            solution
              ? h(Box, { flexDirection: 'column', marginTop: 1 }, h(Text, { bold: true }, 'Reference solution'), h(ScrollText, { lines: wrapText(meta.solution.trimEnd(), width - listWidth - 4), offset: 0, rows: 200 }))
              : null,
          )
        : null,
    ),
    h(Rule, { width }),
    h(KeyHints, { actions: ['UP', 'DOWN', 'SOLUTION', 'QUIT'], short: { UP: 'previous task', DOWN: 'next task', SOLUTION: solution ? 'hide solution' : 'reference solution', QUIT: 'done' } }),
  );
}
