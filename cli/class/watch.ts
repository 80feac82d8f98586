// `class watch`'s grid as text: candidates × tasks, each cell the current score, time left per candidate, and
// who has not touched anything yet. Pure; the command re-renders it every interval.
import { formatPercent } from '../report/summary.ts';
import type { ClassReport } from './report.ts';

export function timeLeft(deadline: number, now: number): string {
  const ms = deadline - now;
  if (ms <= 0) return 'ended';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function renderWatch(report: ClassReport, deadlines: ReadonlyMap<string, number>, opts: { now: number; tookMs: number; intervalMs?: number | undefined }): string {
  const nameWidth = Math.max(9, ...report.candidates.map((c) => c.name.length));
  const colWidth = Math.max(5, ...report.tasks.map((t) => String(t.maxScore).length * 2 + 1));
  const lines: string[] = [];
  lines.push(`Class ${report.class} · ${report.candidates.length} candidates × ${report.tasks.length} tasks · ${new Date(opts.now).toISOString().slice(11, 19)} UTC · graded in ${(opts.tookMs / 1000).toFixed(1)} s${opts.intervalMs ? ` · every ${opts.intervalMs / 1000} s (Ctrl-C to stop)` : ''}`);
  lines.push('');
  lines.push(`${'Candidate'.padEnd(nameWidth)}  ${'Left'.padStart(8)}  ${'Total'.padStart(6)}  ${report.tasks.map((_, i) => `T${i + 1}`.padStart(colWidth)).join(' ')}`);
  // Alphabetical, not ranked: a live grid whose rows jump around cannot be read.
  for (const c of [...report.candidates].sort((a, b) => a.name.localeCompare(b.name))) {
    const cells = report.tasks.map((t) => {
      const r = c.tasks.find((x) => x.id === t.id);
      const error = r?.checks.some((k) => k.error !== undefined);
      return (error ? '?' : r ? `${r.score}/${r.maxScore}` : '-').padStart(colWidth);
    });
    const left = timeLeft(deadlines.get(c.name) ?? report.endsAt, opts.now);
    lines.push(`${c.name.padEnd(nameWidth)}  ${left.padStart(8)}  ${formatPercent(c.percent).padStart(6)}  ${cells.join(' ')}${c.touched === false ? '  (not started)' : ''}`);
  }
  lines.push('');
  report.tasks.forEach((t, i) => lines.push(`  T${i + 1} ${t.id} (${t.maxScore} pts) · full marks ${formatPercent(t.passRate)}`));
  const idle = report.candidates.filter((c) => c.touched === false).map((c) => c.name);
  if (idle.length) lines.push('', `Not started (nothing changed in their namespaces): ${idle.join(', ')}`);
  if (report.access.length) lines.push('', `⚠ Access between candidates: ${report.access.map((a) => `${a.candidate} → ${a.grants.join(', ')} (${a.namespace}/${a.binding})`).join('; ')}`);
  return `${lines.join('\n')}\n`;
}
