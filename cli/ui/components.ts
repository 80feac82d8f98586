// Small presentational pieces shared by the screens. No state beyond what a piece shows.
import { createElement as h, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { CheckResult } from '../../graders/result.ts';
import type { Progress } from '../exam/services.ts';
import { checkErrorText, checkExplanation, extraMessage } from '../report/summary.ts';
import type { StyledLine } from './instructions.ts';
import { KEY_BINDINGS, type KeyAction } from './keys.ts';

export const ACCENT = 'cyan';

/** A horizontal bar: filled share of `width` cells. */
export function Bar(props: { percent: number; width?: number; color?: string }): ReactNode {
  const width = props.width ?? 20;
  const filled = Math.round((Math.min(100, Math.max(0, props.percent)) / 100) * width);
  return h(Text, null, h(Text, { color: props.color ?? ACCENT }, '█'.repeat(filled)), h(Text, { dimColor: true }, '░'.repeat(width - filled)));
}

export function ProgressView(props: { title: string; progress: Progress | undefined }): ReactNode {
  const p = props.progress;
  // A step without a count (total 0) is shown by its label alone.
  const counted = p !== undefined && p.total > 0;
  return h(
    Box,
    { flexDirection: 'column', paddingX: 1 },
    h(Text, { bold: true }, props.title),
    counted ? h(Box, { gap: 1 }, h(Bar, { percent: (p.done / p.total) * 100, width: 30 }), h(Text, null, `${p.done}/${p.total}`)) : null,
    h(Text, { dimColor: true }, p ? p.label : 'Starting…'),
  );
}

/** A titled, dim rule line. */
export function Rule(props: { width: number }): ReactNode {
  return h(Text, { dimColor: true }, '─'.repeat(Math.max(0, props.width)));
}

/** Word-wrap `text` to `width` columns, keeping blank lines and leading indentation; long words are split. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(10, width);
  const out: string[] = [];
  for (const raw of text.replace(/\t/g, '  ').split('\n')) {
    const line = raw.trimEnd();
    if (line.length <= w) {
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)?.[0] ?? '';
    let current = '';
    for (const word of line.slice(indent.length).split(/ +/)) {
      let piece = word;
      while (piece.length > w - indent.length) {
        if (current) {
          out.push(current);
          current = '';
        }
        out.push(indent + piece.slice(0, w - indent.length));
        piece = piece.slice(w - indent.length);
      }
      if (!current) current = indent + piece;
      else if (current.length + 1 + piece.length <= w) current += ` ${piece}`;
      else {
        out.push(current);
        current = indent + piece;
      }
    }
    if (current) out.push(current);
  }
  return out;
}

/** A line to show: plain text, or styled spans (bold, code) from cli/ui/instructions.ts. */
export type PaneLine = string | StyledLine;

function PaneLineView(props: { line: PaneLine }): ReactNode {
  const { line } = props;
  if (typeof line === 'string') return h(Text, null, line === '' ? ' ' : line);
  if (line.length === 0) return h(Text, null, ' ');
  return h(Text, null, ...line.map((s, i) => (s.bold || s.code ? h(Text, { key: i, bold: s.bold === true, ...(s.code ? { color: ACCENT } : {}) }, s.text) : s.text)));
}

/** A window of `rows` lines from `offset`, with a note when there is more above or below. */
export function ScrollText(props: { lines: readonly PaneLine[]; offset: number; rows: number }): ReactNode {
  const rows = Math.max(1, props.rows);
  const offset = Math.max(0, Math.min(props.offset, Math.max(0, props.lines.length - rows)));
  const shown = props.lines.slice(offset, offset + rows);
  const below = props.lines.length - offset - shown.length;
  return h(
    Box,
    { flexDirection: 'column' },
    offset > 0 ? h(Text, { dimColor: true }, `↑ ${offset} more line${offset === 1 ? '' : 's'} (↑ / pgup)`) : null,
    ...shown.map((line, i) => h(PaneLineView, { key: i, line })),
    below > 0 ? h(Text, { dimColor: true }, `↓ ${below} more line${below === 1 ? '' : 's'} (↓ / pgdn / space)`) : null,
  );
}

/** Each check passed or failed, with expected and actual for failures and the reason for ungraded ones. */
export function CheckList(props: { checks: readonly CheckResult[] }): ReactNode {
  return h(
    Box,
    { flexDirection: 'column' },
    ...props.checks.map((c, i) => {
      const mark = c.error !== undefined ? h(Text, { color: 'yellow' }, '!') : c.passed ? h(Text, { color: 'green' }, '✓') : h(Text, { color: 'red' }, '✗');
      const detail =
        c.error !== undefined
          ? h(Box, { paddingLeft: 2 }, h(Text, { color: 'yellow' }, checkErrorText(c.error)))
          : c.passed
            ? null
            : h(
                Box,
                { flexDirection: 'column', paddingLeft: 2 },
                h(Text, null, checkExplanation(c)),
                extraMessage(c) !== undefined ? h(Text, { dimColor: true }, extraMessage(c)) : null,
              );
      return h(
        Box,
        { key: i, flexDirection: 'column' },
        h(Text, null, mark, ` ${c.name} `, h(Text, { dimColor: true }, `${c.points}/${c.maxPoints}`)),
        detail,
      );
    }),
  );
}

/** A footer of key hints from the key table: `n next task · p previous task · …`. */
export function KeyHints(props: { actions: readonly KeyAction[]; short?: Partial<Record<KeyAction, string>> }): ReactNode {
  return h(
    Text,
    { dimColor: true, wrap: 'truncate-end' },
    props.actions.map((a) => `${KEY_BINDINGS[a].label} ${props.short?.[a] ?? KEY_BINDINGS[a].help}`).join('  ·  '),
  );
}
