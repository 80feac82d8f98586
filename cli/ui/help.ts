// The help overlay: the keys of a screen, straight from the key table, and a few words on the rules.
import { createElement as h, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { KEY_BINDINGS, SCREEN_KEYS, type KeyAction } from './keys.ts';
import { ACCENT } from './components.ts';

const NOTES: Record<keyof typeof SCREEN_KEYS, readonly string[]> = {
  exam: [
    'Work in another terminal with kubectl, pointed at the sandbox with the export line shown on each task.',
    'As in the real exam there is no grading before the end; the exam ends by itself when the clock reaches zero.',
    'Everything is saved as you go. If this window closes, `ckad-lab resume` continues with the same deadline.',
  ],
  drill: ['Check as often as you like: each check grades the task live. The reference solution opens after a first check.'],
  report: [],
  home: [],
  history: [],
};

/** `help` and `notes` replace the table's words where a screen's rules differ (a class's exam is not graded here). */
export function HelpOverlay(props: { screen: keyof typeof SCREEN_KEYS; help?: Partial<Record<KeyAction, string>>; notes?: readonly string[] }): ReactNode {
  const actions = SCREEN_KEYS[props.screen];
  const width = Math.max(...actions.map((a) => KEY_BINDINGS[a].label.length));
  return h(
    Box,
    { flexDirection: 'column', borderStyle: 'round', borderColor: ACCENT, paddingX: 2, paddingY: 0 },
    h(Text, { bold: true }, 'Keys'),
    ...actions.map((a) => h(Text, { key: a }, h(Text, { color: ACCENT }, KEY_BINDINGS[a].label.padEnd(width + 2)), props.help?.[a] ?? KEY_BINDINGS[a].help)),
    ...(props.notes ?? NOTES[props.screen]).map((n, i) => h(Text, { key: `n${i}`, dimColor: true }, n)),
    h(Text, { dimColor: true }, 'Any key closes this help.'),
  );
}
