// Every key binding of the console, in one table. Components ask `matches(input, key, 'NEXT_TASK')` and the
// help overlay and footers are generated from the same table, so they cannot disagree.
import type { Key } from 'ink';

type KeyName = 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown' | 'return' | 'escape' | 'tab';

type Binding = { input: string; ctrl?: boolean } | { key: KeyName };

export const KEY_BINDINGS = {
  NEXT_TASK: { keys: [{ input: 'n' }, { key: 'rightArrow' }], label: 'n', help: 'next task' },
  PREV_TASK: { keys: [{ input: 'p' }, { key: 'leftArrow' }], label: 'p', help: 'previous task' },
  FLAG: { keys: [{ input: 'f' }], label: 'f', help: 'flag or unflag the task to come back to' },
  HELP: { keys: [{ input: '?' }], label: '?', help: 'this help' },
  END_EXAM: { keys: [{ input: 'E' }, { input: 'e' }], label: 'e', help: 'end the exam and grade it (asks first)' },
  LEAVE: { keys: [{ input: 'q' }], label: 'q', help: 'leave; the exam stays saved and its clock keeps running' },
  QUIT: { keys: [{ input: 'q' }], label: 'q', help: 'quit' },
  BACK: { keys: [{ key: 'escape' }, { input: 'q' }], label: 'esc', help: 'back' },
  INTERRUPT: { keys: [{ input: 'c', ctrl: true }], label: 'ctrl-c', help: 'leave at once (the exam stays saved; with unsaved changes it asks first)' },
  CONFIRM: { keys: [{ input: 'y' }, { input: 'Y' }], label: 'y', help: 'yes' },
  CANCEL: { keys: [{ input: 'n' }, { input: 'N' }, { key: 'escape' }], label: 'n', help: 'no' },
  JUMP_DIGIT: { keys: [], label: '1-9', help: 'go to a task: type its number (then enter when it could go on)' },
  JUMP_GO: { keys: [{ key: 'return' }], label: 'enter', help: 'go to the task number typed' },
  SCROLL_DOWN: { keys: [{ key: 'pageDown' }, { key: 'downArrow' }, { input: ' ' }], label: '↓', help: 'scroll the instructions down' },
  SCROLL_UP: { keys: [{ key: 'pageUp' }, { key: 'upArrow' }], label: '↑', help: 'scroll the instructions up' },
  CHECK: { keys: [{ input: 'c' }], label: 'c', help: 'check: grade the task now' },
  RESET: { keys: [{ input: 'r' }], label: 'r', help: 'reset the task (deletes its namespace and sets it up again)' },
  HINT: { keys: [{ input: 'h' }], label: 'h', help: 'show the next hint' },
  SOLUTION: { keys: [{ input: 's' }], label: 's', help: 'show or hide the reference solution (after a check)' },
  NEW_TASK: { keys: [{ input: 'n' }], label: 'n', help: 'another task like this one' },
  RETRY: { keys: [{ input: 'r' }], label: 'r', help: 'try again' },
  UP: { keys: [{ key: 'upArrow' }, { input: 'k' }], label: '↑', help: 'up' },
  DOWN: { keys: [{ key: 'downArrow' }, { input: 'j' }], label: '↓', help: 'down' },
  SELECT: { keys: [{ key: 'return' }], label: 'enter', help: 'choose' },
  DRILL_WEAKEST: { keys: [{ input: 'd' }], label: 'd', help: 'drill the weakest domain' },
} as const satisfies Record<string, { keys: readonly Binding[]; label: string; help: string }>;

export type KeyAction = keyof typeof KEY_BINDINGS;

/** Does this keypress mean `action`? Plain letters never match with ctrl or meta held. */
export function matches(input: string, key: Key, action: KeyAction): boolean {
  return (KEY_BINDINGS[action].keys as readonly Binding[]).some((b) => {
    if ('key' in b) return key[b.key] === true;
    if (b.ctrl) return key.ctrl && input === b.input;
    return input === b.input && !key.ctrl && !key.meta;
  });
}

/** The digit typed, for jumping to a task; undefined for anything else. */
export function digitOf(input: string, key: Key): number | undefined {
  if (key.ctrl || key.meta || !/^[0-9]$/.test(input)) return undefined;
  return Number(input);
}

export const keyLabel = (action: KeyAction): string => KEY_BINDINGS[action].label;
export const keyHelp = (action: KeyAction): string => KEY_BINDINGS[action].help;

/** The key actions each screen offers, in the order the help overlay lists them. */
export const SCREEN_KEYS = {
  exam: ['NEXT_TASK', 'PREV_TASK', 'JUMP_DIGIT', 'FLAG', 'SCROLL_DOWN', 'SCROLL_UP', 'HELP', 'END_EXAM', 'LEAVE', 'INTERRUPT'],
  drill: ['CHECK', 'HINT', 'SOLUTION', 'RESET', 'NEW_TASK', 'SCROLL_DOWN', 'SCROLL_UP', 'HELP', 'QUIT'],
  report: ['UP', 'DOWN', 'SOLUTION', 'QUIT'],
  home: ['UP', 'DOWN', 'SELECT', 'QUIT'],
  history: ['DRILL_WEAKEST', 'BACK'],
} as const satisfies Record<string, readonly KeyAction[]>;
