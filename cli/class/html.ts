// The class report as one self-contained HTML file: inline CSS and SVG charts (score distribution, per-task
// pass rate, per-domain averages), no scripts, no external assets, so it opens offline and can be mailed.
import { checkExplanation, domainTitle, formatPercent, lateChangeText } from '../report/summary.ts';
import { lateChanges, type ClassReport } from './report.ts';

const esc = (s: string | number): string => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const clock = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

type Bar = { label: string; value: number; title?: string };

/** Horizontal bars, 0 to 100 %, one per row; `mark` draws the pass mark line. */
function barChart(title: string, bars: readonly Bar[], mark?: number): string {
  const row = 22;
  const labelWidth = 260;
  const width = 640;
  const plot = width - labelWidth - 60;
  const height = bars.length * row + 30;
  const x = (v: number) => labelWidth + (Math.max(0, Math.min(100, v)) / 100) * plot;
  const rows = bars.map((b, i) => {
    const y = 10 + i * row;
    return (
      `<g><title>${esc(b.title ?? `${b.label}: ${formatPercent(b.value)}`)}</title>` +
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${plot}" height="${row - 8}" class="track"/>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${(x(b.value) - labelWidth).toFixed(1)}" height="${row - 8}" class="${mark !== undefined && b.value < mark ? 'low' : 'bar'}"/>` +
      `<text x="${(x(b.value) + 6).toFixed(1)}" y="${y + 14}">${esc(formatPercent(b.value))}</text></g>`
    );
  });
  const markLine = mark !== undefined ? `<line x1="${x(mark)}" x2="${x(mark)}" y1="6" y2="${height - 18}" class="mark"/><text x="${x(mark)}" y="${height - 4}" text-anchor="middle" class="small">${mark}%</text>` : '';
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">${rows.join('')}${markLine}</svg></figure>`;
}

/** How many candidates scored in each tenth (0-9, 10-19, ... 90-100), as columns. */
function distribution(title: string, percents: readonly number[], mark: number): string {
  const bins = Array.from({ length: 10 }, () => 0);
  for (const p of percents) bins[Math.min(9, Math.floor(p / 10))] = (bins[Math.min(9, Math.floor(p / 10))] ?? 0) + 1;
  const max = Math.max(1, ...bins);
  const width = 640;
  const height = 220;
  const left = 40;
  const bottom = 190;
  const col = (width - left - 10) / 10;
  const cols = bins.map((n, i) => {
    const h = (n / max) * 160;
    const cls = (i + 1) * 10 <= mark ? 'low' : 'bar';
    return (
      `<g><title>${i * 10}-${i === 9 ? 100 : i * 10 + 9}%: ${n} candidate${n === 1 ? '' : 's'}</title>` +
      `<rect x="${(left + i * col + 3).toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${(col - 6).toFixed(1)}" height="${h.toFixed(1)}" class="${cls}"/>` +
      (n ? `<text x="${(left + i * col + col / 2).toFixed(1)}" y="${(bottom - h - 4).toFixed(1)}" text-anchor="middle">${n}</text>` : '') +
      `<text x="${(left + i * col + col / 2).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" class="small">${i * 10}%</text></g>`
    );
  });
  const markX = left + (mark / 100) * (width - left - 10);
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><line x1="${left}" x2="${width - 10}" y1="${bottom}" y2="${bottom}" class="axis"/>${cols.join('')}<line x1="${markX}" x2="${markX}" y1="20" y2="${bottom}" class="mark"/><text x="${markX + 4}" y="30" class="small">pass ${mark}%</text></svg></figure>`;
}

export function renderClassHtml(report: ClassReport): string {
  const taskHead = report.tasks.map((t, i) => `<th title="${esc(`${t.id}: ${t.title}`)}">${i + 1}</th>`).join('');
  const rows = report.candidates
    .map((c) => {
      const cells = report.tasks
        .map((t) => {
          const r = c.tasks.find((x) => x.id === t.id);
          const p = r && r.maxScore > 0 ? (r.score / r.maxScore) * 100 : 0;
          const late = r?.changedAfterEnd?.length ? ' late' : '';
          return `<td class="cell ${p === 100 ? 'full' : p > 0 ? 'part' : 'none'}${late}" title="${esc(`${t.id}: ${r?.score ?? 0}/${r?.maxScore ?? t.maxScore}`)}">${r?.score ?? 0}</td>`;
        })
        .join('');
      const flags = [
        c.touched === false ? 'nothing changed' : '',
        c.ungraded ? `${c.ungraded} ungraded` : '',
        lateChanges(c).length ? `${lateChanges(c).length} late` : '',
        report.access.some((a) => a.candidate === c.name || a.grants.includes(c.name)) ? 'access' : '',
      ].filter(Boolean);
      return `<tr><td>${c.rank}</td><th scope="row">${esc(c.name)}</th><td class="num">${c.score}/${c.maxScore}</td><td class="num">${esc(formatPercent(c.percent))}</td><td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'PASS' : 'FAIL'}</td>${cells}<td>${esc(flags.join(', '))}</td></tr>`;
    })
    .join('\n');
  const taskList = report.tasks.map((t, i) => `<li value="${i + 1}"><code>${esc(t.id)}</code> ${esc(t.title)} · ${esc(domainTitle(t.domain))} · ${t.maxScore} points · pass rate ${esc(formatPercent(t.passRate))} · average ${esc(formatPercent(t.averagePercent))}</li>`).join('\n');
  const access = report.access.length
    ? `<h2>Access between candidates</h2><p>Bindings in one candidate's namespace naming another candidate (flagged, not scored).</p><ul>${report.access.map((a) => `<li class="warn">${esc(a.candidate)}: RoleBinding <code>${esc(a.namespace)}/${esc(a.binding)}</code> lets in ${esc(a.grants.join(', '))}</li>`).join('')}</ul>`
    : '';
  const lateList = report.candidates.flatMap((c) => lateChanges(c).map((l) => `<li class="warn">${esc(c.name)}: ${esc(lateChangeText(l))} in <code>${esc(l.namespace)}</code></li>`));
  const late = lateList.length ? `<h2>Changes after the end</h2><p>Made after the candidate's deadline: flagged, still in the score.</p><ul>${lateList.join('')}</ul>` : '';
  // Each candidate's checks that did not pass, folded: what the instructor discusses with her.
  const details = report.candidates
    .map((c) => {
      const misses = c.tasks.flatMap((t) => t.checks.filter((k) => !k.passed).map((k) => `<li><code>${esc(t.id)}</code> ${esc(k.name)}: ${esc(k.error !== undefined ? `could not grade: ${k.error}` : checkExplanation(k))}</li>`));
      return `<details><summary>${esc(c.name)}: ${c.score}/${c.maxScore} (${esc(formatPercent(c.percent))}), ${misses.length} check${misses.length === 1 ? '' : 's'} not passed</summary>${misses.length ? `<ul>${misses.join('')}</ul>` : '<p>Everything passed.</p>'}</details>`;
    })
    .join('\n');
  const passed = report.candidates.filter((c) => c.passed).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Class ${esc(report.class)}: results</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
.num{text-align:right}.pass{color:#176f2c;font-weight:bold}.fail{color:#a11;font-weight:bold}
.cell{text-align:center;min-width:1.6em}.full{background:#cdeccf}.part{background:#fbeec2}.none{background:#f6d2d2}.late{outline:2px solid #d48a00}
.warn{color:#8a5300}figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:.3em}
svg text{font:12px system-ui,sans-serif;fill:#222}svg .small{font-size:11px;fill:#555}
svg .bar{fill:#3b7dd8}svg .low{fill:#d66}svg .track{fill:#eee}svg .mark{stroke:#222;stroke-dasharray:4 3}svg .axis{stroke:#999}
</style></head><body>
<h1>Class ${esc(report.class)}</h1>
<p>${report.candidates.length} candidates × ${report.tasks.length} tasks · window ${esc(clock(report.startsAt))} to ${esc(clock(report.endsAt))}${report.endedAt !== null ? ` (ended ${esc(clock(report.endedAt))})` : ''} · graded ${esc(clock(report.gradedAt))} · pass mark ${report.passPercent}%: <strong>${passed} of ${report.candidates.length} passed</strong></p>
<h2>Ranking</h2>
<table><thead><tr><th>Rank</th><th>Candidate</th><th>Score</th><th>%</th><th>Result</th>${taskHead}<th>Flags</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<ol>
${taskList}
</ol>
${distribution('Score distribution', report.candidates.map((c) => c.percent), report.passPercent)}
${barChart('Pass rate per task (full marks)', report.tasks.map((t) => ({ label: t.id, value: t.passRate })))}
${barChart('Average per domain', report.domains.map((d) => ({ label: domainTitle(d.domain), value: d.averagePercent })), report.passPercent)}
${access}
${late}
<h2>Per candidate</h2>
${details}
</body></html>
`;
}
