// A task's instructions with what the candidate needs to start: namespace, points, the kubectl line.
// Shared by the exam and the drill. Scrolls when the instructions are longer than the window.
import { createElement as h, useMemo, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { DOMAINS } from '../../tasks/schema.ts';
import type { PreparedTask } from '../exam/services.ts';
import { ACCENT, ScrollText } from './components.ts';
import { layoutInstructions, type StyledLine } from './instructions.ts';

export type TaskPaneProps = {
  task: PreparedTask;
  /** E.g. `Task 3 of 16`. */
  heading: string;
  kubeconfigEnv: string;
  width: number;
  /** Rows for the instructions themselves. */
  rows: number;
  offset: number;
  flagged?: boolean;
};

/** The instructions laid out at `width` (reflowed, styled); the screens clamp scrolling with their count. */
export const instructionLines = (task: PreparedTask, width: number): StyledLine[] => layoutInstructions(task.instructions, width);

export function TaskPane(props: TaskPaneProps): ReactNode {
  const { task } = props;
  const lines = useMemo(() => instructionLines(task, props.width), [task, props.width]);
  const others = Object.entries(task.namespaces)
    .filter(([key]) => key !== 'ns')
    .map(([, ns]) => ns);
  return h(
    Box,
    { flexDirection: 'column', width: props.width },
    h(
      Text,
      { wrap: 'truncate-end' },
      h(Text, { bold: true, color: ACCENT }, props.heading),
      h(Text, { dimColor: true }, `  ·  ${task.points} point${task.points === 1 ? '' : 's'}  ·  ${DOMAINS[task.domain].title}  ·  about ${task.minutes} min`),
      props.flagged ? h(Text, { color: 'yellow' }, '  ·  ⚑ flagged') : null,
    ),
    h(Text, { bold: true, wrap: 'truncate-end' }, task.title),
    h(Text, { wrap: 'truncate-end' }, h(Text, { dimColor: true }, 'Namespace  '), h(Text, { bold: true }, task.namespace), others.length ? h(Text, { dimColor: true }, `  (also ${others.join(', ')})`) : null),
    h(Text, { wrap: 'truncate-end' }, h(Text, { dimColor: true }, 'kubectl    '), props.kubeconfigEnv),
    h(Box, { marginTop: 1 }, h(ScrollText, { lines, offset: props.offset, rows: props.rows })),
  );
}
