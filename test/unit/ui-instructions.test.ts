// Instructions in the task pane (issue 12 item 19): paragraphs reflowed, lists and code blocks kept, bold and
// code as styles (no `**` or backticks on screen), names never broken or decorated; at 80 and 140 columns.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { layoutInstructions, parseInline, plainText, type StyledLine } from '../../cli/ui/instructions.ts';
import { TaskPane } from '../../cli/ui/task-pane.ts';
import { fakeTask, prepare } from './exam-fakes.ts';

const TEXT = `In namespace \`x1-web\`, the Deployment \`hello\` runs 3 replicas of \`kelseyhightower/hello:1.0.0\`. Scale it
to **5** replicas and make sure all of them are
ready.

1. Create the Deployment \`hello-green\` with **3** replicas and the image
   \`kelseyhightower/hello:2.0.0\`, whose Pods carry the labels \`app=hello\` and \`version=2.0.0\`.
2. Switch the Service \`hello\` to green.

- its \`args\` must be exactly one argument: \`while true; do date; sleep 5; done\`
- keep **the \`blue\` Deployment** as it is

\`\`\`
kubectl -n x1-web get deploy hello -o yaml
  indented: kept
\`\`\`
`;

const plain = (lines: readonly StyledLine[]) => lines.map(plainText);
const codeSpans = (text: string) => [...text.matchAll(/(?<!`)`([^`\n]+)`(?!`)/g)].map((m) => m[1] as string);

describe.each([80, 140])('at %i columns', (width) => {
  const lines = layoutInstructions(TEXT, width);
  const text = plain(lines);

  it('no line is wider than the pane, and no Markdown marker shows', () => {
    for (const line of text) expect(line.length).toBeLessThanOrEqual(width);
    expect(text.join('\n')).not.toMatch(/\*\*|`/);
  });

  it('reflows a paragraph instead of keeping the YAML line breaks', () => {
    const paragraph = text.slice(0, text.indexOf(''));
    expect(paragraph.join(' ')).toBe('In namespace x1-web, the Deployment hello runs 3 replicas of kelseyhightower/hello:1.0.0. Scale it to 5 replicas and make sure all of them are ready.');
    // Every line but the last is filled: the next word would not have fitted.
    paragraph.slice(0, -1).forEach((line, i) => expect(line.length + 1 + (paragraph[i + 1] as string).split(' ')[0]!.length).toBeGreaterThan(width));
    if (width === 140) expect(paragraph).toHaveLength(2);
  });

  it('keeps list items with their markers and a hanging indent, and the code block as written', () => {
    const one = text.findIndex((l) => l.startsWith('1. Create the Deployment hello-green'));
    const two = text.findIndex((l) => l.startsWith('2. Switch the Service hello to green.'));
    expect(one).toBeGreaterThan(0);
    expect(two).toBeGreaterThan(one);
    for (const continuation of text.slice(one + 1, two)) expect(continuation).toMatch(/^ {3}\S/);
    expect(text.join('\n')).toContain('- keep the blue Deployment as it is');
    expect(text).toContain('  kubectl -n x1-web get deploy hello -o yaml');
    expect(text).toContain('    indented: kept');
  });

  it('never breaks a name or command inside, and adds nothing to it', () => {
    for (const span of codeSpans(TEXT)) expect(text.some((line) => line.includes(span))).toBe(true);
  });

  it('bold and code are styles of their own spans', () => {
    const spans = lines.flat();
    expect(spans).toContainEqual({ text: '5', bold: true });
    expect(spans).toContainEqual({ text: 'hello-green', code: true });
    expect(spans).toContainEqual({ text: 'blue', bold: true, code: true });
    expect(spans).toContainEqual({ text: 'while true; do date; sleep 5; done', code: true });
  });

  it('the task pane shows the laid-out lines', () => {
    const task = { ...prepare(fakeTask('deployment-1', 'deployment'), { id: 'deployment-1', seed: 1, prefix: 'x1' }), instructions: TEXT };
    const { lastFrame, unmount } = render(h(TaskPane, { task, heading: 'Task 1 of 1', kubeconfigEnv: 'export KUBECONFIG=/k', width, rows: 40, offset: 0 }));
    const frame = lastFrame() ?? '';
    unmount();
    expect(frame).not.toMatch(/\*\*|`/);
    for (const line of text.filter((l) => l.trim() !== '')) expect(frame).toContain(line.trimEnd());
  });

  it('every task in the catalog lays out within the width, unmarked, with its names whole', () => {
    const dir = join(import.meta.dirname, '../../tasks/catalog');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const instructions = (parse(readFileSync(join(dir, file), 'utf8')) as { instructions: string }).instructions;
      const laid = plain(layoutInstructions(instructions, width));
      for (const line of laid) expect(line.length, `${file}: ${line}`).toBeLessThanOrEqual(width);
      expect(laid.join('\n'), file).not.toMatch(/\*\*|`/);
      for (const span of codeSpans(instructions)) expect(laid.some((line) => line.includes(span)), `${file}: ${span}`).toBe(true);
    }
  });
});

describe('inline markup', () => {
  it('a marker without its partner stays as text', () => {
    expect(parseInline('2 ** 3 and a lone ` tick')).toEqual([{ text: '2 ** 3 and a lone ` tick' }]);
    expect(parseInline('``a `b` c``')).toEqual([{ text: 'a `b` c', code: true }]);
  });
});
