// History: past attempts, each domain's scores over time, the weakest domains to drill, and each competency's
// standing, weakest first.
import { createElement as h, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Box, Text, useWindowSize } from 'ink';
import { competencyStandings, weakestDomains, type CompetencyStanding } from '../exam/draw.ts';
import type { Task } from '../../tasks/schema.ts';
import { drillOutcome, fullyGraded, verdict } from '../exam/history.ts';
import { domainTitle, formatPercent } from '../report/summary.ts';
import { randomSeed } from '../exam/flow.ts';
import { Bar, KeyHints, Rule } from './components.ts';
import { useAppActions, useConsoleEnv } from './shared.ts';
import { useKeys } from './hooks.ts';
import { matches } from './keys.ts';

const SHOWN = 8;
/** Competencies shown on the screen, weakest first; `history --standings` lists them all. */
const COMPETENCIES_SHOWN = 6;

const when = (ms: number): string => {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} ${d.toTimeString().slice(0, 5)}`;
};

export function HistoryScreen(): ReactNode {
  const { store, canDrill, services } = useConsoleEnv();
  const app = useAppActions();
  const { columns } = useWindowSize();
  const width = Math.max(60, columns - 1);
  const { records, problems } = useMemo(() => store.history(), [store]);
  const weakest = useMemo(() => weakestDomains(records), [records]);
  // A task's competency comes from the catalog (records keep only the domain); without it that section is left out.
  const [catalog, setCatalog] = useState<readonly Task[]>([]);
  useEffect(() => {
    let live = true;
    services.tasks().then(
      (tasks) => {
        if (live) setCatalog(tasks);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [services]);
  const competencies = useMemo(() => competencyStandings(records, catalog), [records, catalog]);
  const drillable = canDrill && weakest.length > 0;
  useKeys((input, key) => {
    if (matches(input, key, 'DRILL_WEAKEST') && drillable) app.navigate({ screen: 'drill', choice: { weakest: true }, timed: false, seed: randomSeed() });
    else if (matches(input, key, 'INTERRUPT') || matches(input, key, 'BACK')) {
      if (app.canGoHome && !key.ctrl) app.navigate({ screen: 'home' });
      else app.exit({ kind: 'quit' });
    }
  });
  // Statistics only from attempts whose every check was graded.
  const graded = records.filter(fullyGraded);
  const domains = [...new Set(graded.flatMap((r) => r.domains.map((d) => d.domain)))];
  const titleWidth = Math.max(10, ...domains.map((d) => domainTitle(d).length));
  return h(
    Box,
    { flexDirection: 'column', width },
    h(Text, { bold: true }, 'History', h(Text, { dimColor: true }, `  ·  ${records.length} attempt${records.length === 1 ? '' : 's'}`)),
    h(Rule, { width }),
    records.length === 0
      ? h(Text, null, 'No finished attempts yet. Take a mock exam or check a drill from the home screen (ckad-lab exam, ckad-lab drill).')
      : h(
          Box,
          { flexDirection: 'column' },
          h(Text, { dimColor: true }, 'Each domain, latest attempt with the ones before it (oldest first)'),
          ...domains.map((domain) => {
            const series = graded.flatMap((r) => r.domains.filter((d) => d.domain === domain).map((d) => d.percent));
            const latest = series.at(-1) ?? 0;
            return h(
              Text,
              { key: domain },
              `${domainTitle(domain).padEnd(titleWidth)}  `,
              h(Bar, { percent: latest, width: 16, color: latest >= 66 ? 'green' : 'yellow' }),
              ` ${formatPercent(latest).padStart(6)}  `,
              h(Text, { dimColor: true }, series.slice(-SHOWN, -1).map((p) => `${Math.round(p)}`).join(' ')),
            );
          }),
          h(Rule, { width }),
          weakest[0]
            ? h(
                Text,
                null,
                'Weakest: ',
                h(Text, { bold: true, color: 'yellow' }, domainTitle(weakest[0].domain)),
                h(Text, { dimColor: true }, `  ${formatPercent(weakest[0].percent)} over ${weakest[0].attempts} attempt${weakest[0].attempts === 1 ? '' : 's'}`),
                weakest[1] ? h(Text, { dimColor: true }, `  ·  then ${domainTitle(weakest[1].domain)} (${formatPercent(weakest[1].percent)})`) : null,
              )
            : null,
          ...competencyRows(competencies, width),
          h(Rule, { width }),
          ...records
            .slice(-SHOWN)
            .reverse()
            .map((r) =>
              h(
                Text,
                { key: r.id },
                `${when(r.endedAt)}  ${r.kind} ${r.id.padEnd(10)}  `,
                h(Text, { bold: true }, formatPercent(r.percent).padStart(6)),
                '  ',
                ...(r.drill
                  ? [h(Text, { dimColor: true }, `first check  ${r.drill.taskId}: ${drillOutcome(r.drill)}`)]
                  : [h(Text, { color: { PASS: 'green', FAIL: 'red', UNGRADED: 'yellow' }[verdict(r)] }, verdict(r)), h(Text, { dimColor: true }, `  ${r.tasks.length} tasks  ${r.reason}${fullyGraded(r) ? '' : `  (not in the statistics; re-grade: ckad-lab report ${r.id} --regrade)`}`)]),
              ),
            ),
          records.length > SHOWN ? h(Text, { dimColor: true }, `… and ${records.length - SHOWN} older (ckad-lab history in a pipe lists them all)`) : null,
        ),
    ...problems.map((p, i) => h(Text, { key: `p${i}`, color: 'yellow' }, p)),
    h(Rule, { width }),
    h(KeyHints, { actions: drillable ? ['DRILL_WEAKEST', 'BACK'] : ['BACK'] }),
  );
}

/** Each competency's standing, weakest first, as the plain `history` lists them. */
function competencyRows(competencies: readonly CompetencyStanding[], width: number): ReactNode[] {
  if (competencies.length === 0) return [];
  const shown = competencies.slice(0, COMPETENCIES_SHOWN);
  const nameWidth = Math.max(...shown.map((c) => c.competency.length));
  return [
    h(Rule, { key: 'competencies-rule', width }),
    h(Text, { key: 'competencies', dimColor: true }, 'Per competency, weakest first (last 5 tasks of each; drill one: ckad-lab drill --competency C)'),
    ...shown.map((c) =>
      h(
        Text,
        { key: c.competency },
        `${c.competency.padEnd(nameWidth)}  `,
        h(Bar, { percent: c.percent, width: 16, color: c.percent >= 66 ? 'green' : 'yellow' }),
        ` ${formatPercent(c.percent).padStart(6)}  `,
        h(Text, { dimColor: true }, `${c.attempts} task${c.attempts === 1 ? '' : 's'}  ${domainTitle(c.domain)}`),
      ),
    ),
    competencies.length > shown.length ? h(Text, { key: 'competencies-more', dimColor: true }, `… and ${competencies.length - shown.length} more (ckad-lab history --standings lists them all)`) : null,
  ];
}
