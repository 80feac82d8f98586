// `class watch` on a terminal: a live Ink grid, candidates × tasks, each cell coloured by score, time left
// counting down each second from each candidate's fixed deadline, re-graded every interval. Loaded only when
// drawn; the plain table (watch.ts) is what pipes and CI get.
import { createElement as h, useEffect, useState, type ReactNode } from 'react';
import { Box, Text, render, useApp, useInput, useStdin } from 'ink';
import { formatPercent } from '../report/summary.ts';
import type { ClassReport } from './report.ts';
import { timeLeft } from './watch.ts';

export type WatchSnapshot = { report: ClassReport; deadlines: ReadonlyMap<string, number>; tookMs: number };

function cellColor(score: number, max: number, error: boolean): string {
  if (error) return 'gray';
  if (max > 0 && score === max) return 'green';
  return score > 0 ? 'yellow' : 'red';
}

export function Grid(props: { snapshot: WatchSnapshot; now: number }): ReactNode {
  const { report, deadlines } = props.snapshot;
  const nameWidth = Math.max(9, ...report.candidates.map((c) => c.name.length));
  const col = Math.max(5, ...report.tasks.map((t) => String(t.maxScore).length * 2 + 1));
  const rows = [...report.candidates].sort((a, b) => a.name.localeCompare(b.name));
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { bold: true }, `${'Candidate'.padEnd(nameWidth)}  ${'Left'.padStart(8)}  ${'Total'.padStart(6)}  ${report.tasks.map((_, i) => `T${i + 1}`.padStart(col)).join(' ')}`),
    ...rows.map((c) => {
      const deadline = deadlines.get(c.name) ?? report.endsAt;
      const left = timeLeft(deadline, props.now);
      const urgent = deadline - props.now < 5 * 60_000;
      return h(
        Box,
        { key: c.name },
        h(Text, null, c.name.padEnd(nameWidth) + '  '),
        h(Text, { color: urgent ? 'red' : undefined }, left.padStart(8)),
        h(Text, { bold: true, color: c.passed ? 'green' : undefined }, `  ${formatPercent(c.percent).padStart(6)}  `),
        ...report.tasks.map((t) => {
          const r = c.tasks.find((x) => x.id === t.id);
          const error = r?.checks.some((k) => k.error !== undefined) ?? false;
          return h(Text, { key: t.id, color: cellColor(r?.score ?? 0, r?.maxScore ?? t.maxScore, error) }, (error ? '?' : `${r?.score ?? 0}/${r?.maxScore ?? t.maxScore}`).padStart(col) + ' ');
        }),
        c.touched === false ? h(Text, { dimColor: true }, ' not started') : null,
      );
    }),
  );
}

function WatchApp(props: { name: string; intervalMs: number; refresh: () => Promise<WatchSnapshot> }): ReactNode {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const [snapshot, setSnapshot] = useState<WatchSnapshot | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [now, setNow] = useState(Date.now());
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  useEffect(() => {
    let cancelled = false;
    let timer: NodeJS.Timeout | undefined;
    const run = async () => {
      try {
        const s = await props.refresh();
        if (!cancelled) {
          setSnapshot(s);
          setError(undefined);
        }
      } catch (e) {
        if (!cancelled) setError((e as Error).message);
      }
      if (!cancelled) timer = setTimeout(() => void run(), props.intervalMs);
    };
    void run();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [generation]);
  useInput(
    (input, key) => {
      if (input === 'q' || key.escape || (key.ctrl && input === 'c')) exit();
      if (input === 'r') setGeneration((g) => g + 1);
    },
    { isActive: isRawModeSupported === true },
  );
  const report = snapshot?.report;
  return h(
    Box,
    { flexDirection: 'column', paddingX: 1 },
    h(Text, { bold: true, color: 'cyan' }, `Class ${props.name}${report ? ` · ${report.candidates.length} candidates × ${report.tasks.length} tasks` : ''}`),
    h(Text, { dimColor: true }, snapshot ? `graded in ${(snapshot.tookMs / 1000).toFixed(1)} s · every ${props.intervalMs / 1000} s · r refresh now · q quit` : 'grading…'),
    error ? h(Text, { color: 'red' }, `Last refresh failed: ${error}`) : null,
    snapshot ? h(Box, { marginTop: 1 }, h(Grid, { snapshot, now })) : null,
    report ? h(Box, { marginTop: 1, flexDirection: 'column' }, ...report.tasks.map((t, i) => h(Text, { key: t.id, dimColor: true }, `T${i + 1} ${t.id} (${t.maxScore} pts) · full marks ${formatPercent(t.passRate)}`))) : null,
    report && report.access.length > 0 ? h(Text, { color: 'yellow' }, `⚠ Access between candidates: ${report.access.map((a) => `${a.candidate} → ${a.grants.join(', ')}`).join('; ')}`) : null,
  );
}

export async function runWatchUi(name: string, intervalMs: number, refresh: () => Promise<WatchSnapshot>): Promise<number> {
  const instance = render(h(WatchApp, { name, intervalMs, refresh }), { exitOnCtrlC: false });
  await instance.waitUntilExit();
  return 0;
}
