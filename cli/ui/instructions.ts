// A task's instructions laid out for a pane of a given width. Task files write them as a little Markdown with
// hard line breaks (YAML block text): paragraphs are reflowed to the width, list items keep their marker and a
// hanging indent, fenced or indented code blocks keep their lines, and `**bold**` and `code` become styles
// instead of showing their markers. A code span (a name, a command) is never broken inside when it fits on a
// line and gets no characters added, so it can be copied as it is. Pure: tested at 80 and 140 columns.

/** A run of text in one style. */
export type Span = { text: string; bold?: boolean; code?: boolean };
/** One line of the pane: its spans in order (an empty array is a blank line). */
export type StyledLine = readonly Span[];

type Block = { kind: 'paragraph'; text: string } | { kind: 'item'; indent: number; marker: string; text: string } | { kind: 'code'; lines: string[] } | { kind: 'blank' };

const ITEM = /^(\s*)([-*+]|\d{1,3}[.)])\s+(.*)$/;
const FENCE = /^\s*(```|~~~)/;

/** The blocks of `text`: paragraphs and list items with their lines joined, code blocks as written. */
export function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.replace(/\t/g, '    ').replace(/\r\n?/g, '\n').split('\n');
  let open: Extract<Block, { kind: 'paragraph' | 'item' }> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trimEnd();
    const fence = FENCE.exec(line);
    if (fence) {
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(fence[1] as string); i++) code.push((lines[i] as string).trimEnd());
      blocks.push({ kind: 'code', lines: code });
      open = undefined;
      continue;
    }
    if (line === '') {
      if (blocks.at(-1)?.kind !== 'blank') blocks.push({ kind: 'blank' });
      open = undefined;
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      open = { kind: 'item', indent: (item[1] as string).length, marker: item[2] as string, text: (item[3] as string).trim() };
      blocks.push(open);
      continue;
    }
    // Four spaces after a blank line (not under a list item): an indented code block.
    if (!open && /^ {4}/.test(line)) {
      const previous = blocks.at(-1);
      if (previous?.kind === 'code') previous.lines.push(line.slice(4));
      else blocks.push({ kind: 'code', lines: [line.slice(4)] });
      continue;
    }
    if (open) open.text += ` ${line.trim()}`;
    else {
      open = { kind: 'paragraph', text: line.trim() };
      blocks.push(open);
    }
  }
  while (blocks[0]?.kind === 'blank') blocks.shift();
  while (blocks.at(-1)?.kind === 'blank') blocks.pop();
  return blocks;
}

/** `**bold**` and `code` as spans; a marker without its closing partner stays as text. */
export function parseInline(text: string): Span[] {
  const spans: Span[] = [];
  let bold = false;
  let plain = '';
  const flush = () => {
    if (plain) spans.push(bold ? { text: plain, bold } : { text: plain });
    plain = '';
  };
  for (let i = 0; i < text.length; ) {
    if (text[i] === '`') {
      const ticks = /^`+/.exec(text.slice(i))?.[0] as string;
      const end = text.indexOf(ticks, i + ticks.length);
      if (end > i) {
        flush();
        const inner = text.slice(i + ticks.length, end);
        // Markdown trims one space on each side of a code span that needs it to hold a backtick.
        const code = / `|` /.test(` ${inner} `) && inner.startsWith(' ') && inner.endsWith(' ') ? inner.slice(1, -1) : inner;
        spans.push(bold ? { text: code, code: true, bold } : { text: code, code: true });
        i = end + ticks.length;
        continue;
      }
    }
    if (text.startsWith('**', i) && (bold || text.indexOf('**', i + 2) > i + 2)) {
      flush();
      bold = !bold;
      i += 2;
      continue;
    }
    plain += text[i];
    i += 1;
  }
  flush();
  return spans;
}

const widthOf = (spans: readonly Span[]): number => spans.reduce((n, s) => n + s.text.length, 0);

/**
 * Words to fill lines with: text split at spaces, a code span whole (split at its own spaces only when it is
 * wider than a line). Text touching a code span (`hello`, or "`a`/`b`") stays in the same word.
 */
function words(spans: readonly Span[], width: number): Span[][] {
  const out: Span[][] = [];
  let word: Span[] = [];
  const end = () => {
    if (word.length) out.push(word);
    word = [];
  };
  for (const span of spans) {
    const style = { ...(span.bold ? { bold: true } : {}), ...(span.code ? { code: true } : {}) };
    const parts = span.code && span.text.length <= width ? [span.text] : span.text.split(' ');
    parts.forEach((part, i) => {
      if (i > 0) end();
      if (part) word.push({ text: part, ...style });
    });
  }
  end();
  return out;
}

/** Fill lines of `width` with `spans`: the first line starts with `first`, the others with `rest` (same width). */
function fill(spans: readonly Span[], width: number, first: string, rest: string): Span[][] {
  const room = Math.max(1, width - first.length);
  const lines: Span[][] = [];
  let line: Span[] = [];
  let used = 0;
  const push = () => {
    lines.push([{ text: lines.length === 0 ? first : rest }, ...line].filter((s) => s.text !== ''));
    line = [];
    used = 0;
  };
  for (const word of words(spans, room)) {
    let w = widthOf(word);
    if (used > 0 && used + 1 + w > room) push();
    if (used > 0) {
      line.push({ text: ' ' });
      used += 1;
    }
    // A word wider than the whole line (a long URL): split where the line ends.
    let remainder = word;
    while (w > room - used) {
      const take: Span[] = [];
      let left = room - used;
      const remaining: Span[] = [];
      for (const s of remainder) {
        if (left <= 0) remaining.push(s);
        else if (s.text.length <= left) {
          take.push(s);
          left -= s.text.length;
        } else {
          take.push({ ...s, text: s.text.slice(0, left) });
          remaining.push({ ...s, text: s.text.slice(left) });
          left = 0;
        }
      }
      line.push(...take);
      push();
      remainder = remaining;
      w = widthOf(remainder);
    }
    line.push(...remainder);
    used += w;
  }
  if (line.length || lines.length === 0) push();
  return lines;
}

/** The instructions as styled lines of at most `width` columns. */
export function layoutInstructions(text: string, width: number): StyledLine[] {
  const w = Math.max(20, width);
  const out: StyledLine[] = [];
  for (const block of parseBlocks(text)) {
    if (block.kind === 'blank') out.push([]);
    else if (block.kind === 'code') {
      // Indented by two; a line too long for the pane is cut into pieces, never reflowed.
      for (const line of block.lines) {
        if (line.length <= w - 2) out.push(line ? [{ text: '  ' }, { text: line, code: true }] : []);
        else for (let at = 0; at < line.length; at += w - 2) out.push([{ text: '  ' }, { text: line.slice(at, at + w - 2), code: true }]);
      }
    } else if (block.kind === 'paragraph') out.push(...fill(parseInline(block.text), w, '', ''));
    else {
      const lead = `${' '.repeat(block.indent)}${block.marker === '*' || block.marker === '+' ? '-' : block.marker} `;
      out.push(...fill(parseInline(block.text), w, lead, ' '.repeat(lead.length)));
    }
  }
  return out;
}

/** A styled line as plain text (what a copy from the terminal gives). */
export const plainText = (line: StyledLine): string => line.map((s) => s.text).join('');
