// The running exam: header with the countdown, the task list, the current task. Keys are read in one
// handler per mode (normal, help, confirm end, confirm leave), so no two handlers ever see the same key.
import { createElement as h, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Box, Text, useWindowSize } from 'ink';
import { timeLeftWords, warningText } from '../exam/countdown.ts';
import { MOCK_EXAM, type ExamRules } from '../exam/flow.ts';
import { flaggedCount, seenCount, type ExamSession, type SessionTask } from '../exam/session.ts';
import { ACCENT, KeyHints, Rule } from './components.ts';
import { useAppActions, useExamActions, useExamState, useConsoleEnv } from './shared.ts';
import { HelpOverlay } from './help.ts';
import { useCountdown, useDeadline, useKeys, useStillOpen } from './hooks.ts';
import { digitOf, matches } from './keys.ts';
import { instructionLines, TaskPane } from './task-pane.ts';
import { trace } from '../trace.ts';

const LEVEL_COLOR = { calm: undefined, warn: 'yellow', urgent: 'red', expired: 'red' } as const;

function ExamHeader(props: { session: ExamSession; width: number; rules: ExamRules }): ReactNode {
  const { clock } = useConsoleEnv();
  const c = useCountdown(props.session.deadline, clock);
  const { session } = props;
  const warning = c ? warningText(c.level) : '';
  return h(
    Box,
    { flexDirection: 'column', width: props.width },
    h(
      Box,
      { justifyContent: 'space-between', width: props.width },
      h(Text, { bold: true }, props.rules.title, h(Text, { dimColor: true }, `  ·  ${props.rules.subtitle ?? session.id}`)),
      h(
        Text,
        null,
        warning ? h(Text, { color: LEVEL_COLOR[c?.level ?? 'calm'], bold: true }, `${warning}  `) : null,
        h(Text, { dimColor: true }, '⏱ '),
        h(Text, { bold: true, color: LEVEL_COLOR[c?.level ?? 'calm'] }, c ? c.text : 'untimed'),
      ),
      h(Text, { dimColor: true }, `seen ${seenCount(session)}/${session.tasks.length}  ·  flagged ${flaggedCount(session)}`),
    ),
    h(Rule, { width: props.width }),
  );
}

function TaskRow(props: { task: SessionTask; index: number; current: boolean; width: number }): ReactNode {
  const { task, index } = props;
  const state = task.state === 'seen' ? h(Text, { color: props.current ? ACCENT : undefined }, '●') : h(Text, { dimColor: true }, '○');
  const number = String(index + 1).padStart(2);
  const points = `${task.points}`.padStart(3);
  const titleWidth = Math.max(4, props.width - 10);
  const title = task.title.length > titleWidth ? `${task.title.slice(0, titleWidth - 1)}…` : task.title.padEnd(titleWidth);
  return h(
    Text,
    { wrap: 'truncate-end' },
    h(Text, { color: ACCENT, bold: true }, props.current ? '›' : ' '),
    h(Text, { bold: props.current, dimColor: !props.current && task.state === 'unseen' }, `${number} `),
    state,
    task.flagged ? h(Text, { color: 'yellow' }, '⚑') : ' ',
    h(Text, { bold: props.current, dimColor: !props.current && task.state === 'unseen' }, ` ${title}`),
    h(Text, { dimColor: true }, points),
  );
}

function TaskList(props: { session: ExamSession; width: number }): ReactNode {
  return h(
    Box,
    { flexDirection: 'column', width: props.width, marginRight: 1 },
    h(Text, { dimColor: true }, '  #    task', ' '.repeat(Math.max(0, props.width - 14)), 'pts'),
    ...props.session.tasks.map((task, i) => h(TaskRow, { key: task.id, task, index: i, current: i === props.session.current, width: props.width })),
    h(Text, { dimColor: true }, ' ○ unseen  ● seen  ⚑ flagged'),
  );
}

type Mode = 'normal' | 'help' | 'confirm-end' | 'confirm-leave';

function ConfirmBox(props: { title: string; lines: readonly string[]; yes: string; no: string; color: string }): ReactNode {
  return h(
    Box,
    { flexDirection: 'column', borderStyle: 'round', borderColor: props.color, paddingX: 2 },
    h(Text, { bold: true }, props.title),
    ...props.lines.map((l, i) => h(Text, { key: i }, l)),
    h(Text, null, h(Text, { color: props.color, bold: true }, 'y'), ` ${props.yes}   `, h(Text, { bold: true }, 'n'), ` ${props.no}`),
  );
}

export function ExamScreen(): ReactNode {
  const session = useExamState();
  const actions = useExamActions();
  const app = useAppActions();
  const { clock, kubeconfigEnv, store, exam: rules = MOCK_EXAM } = useConsoleEnv();
  const gradedHere = rules.grading === 'here';
  const { columns, rows } = useWindowSize();
  // Read at each render: the session provider re-renders this screen when a save fails or a retry succeeds.
  const unsaved = store.unsaved(session.id);
  const [mode, setMode] = useState<Mode>('normal');
  const [jump, setJump] = useState('');
  const [notice, setNotice] = useState('');
  const [scroll, setScroll] = useState({ index: session.current, offset: 0 });

  useDeadline(session.deadline, () => actions.end('timeout'), clock);
  useStillOpen(rules.stillOpen, () => actions.end('timeout'));
  useEffect(() => trace('console', 'exam screen drawn'), []);

  const width = Math.max(60, columns - 1);
  const listWidth = Math.min(34, Math.max(24, Math.floor(width * 0.3)));
  const paneWidth = width - listWidth - 2;
  const paneRows = Math.max(4, rows - 12);
  const task = session.tasks[session.current];
  // Counted at the width the pane lays them out at (the pane's border and padding take 2 columns).
  const lineCount = useMemo(() => (task ? instructionLines(task, paneWidth - 2).length : 0), [task, paneWidth]);
  const offset = scroll.index === session.current ? scroll.offset : 0;
  const scrollBy = (delta: number) => setScroll({ index: session.current, offset: Math.max(0, Math.min(offset + delta, Math.max(0, lineCount - paneRows))) });

  const leave = () => app.exit({ kind: 'left', session });

  useKeys((input, key) => {
    // With changes not yet written, Ctrl-C first says so; a second one leaves anyway.
    if (matches(input, key, 'INTERRUPT')) return unsaved && mode !== 'confirm-leave' ? setMode('confirm-leave') : leave();
    if (mode === 'help') return setMode('normal');
    if (mode === 'confirm-end' || mode === 'confirm-leave') {
      if (matches(input, key, 'CONFIRM')) {
        setMode('normal');
        if (mode === 'confirm-end') actions.end('finished');
        else leave();
      } else if (matches(input, key, 'CANCEL')) setMode('normal');
      return;
    }
    setNotice('');
    const digit = digitOf(input, key);
    if (digit !== undefined) {
      const typed = `${jump}${digit}`;
      const n = Number(typed);
      if (n > session.tasks.length || typed === '0') {
        setJump('');
        setNotice(`There is no task ${typed}: tasks are 1 to ${session.tasks.length}.`);
      } else if (n * 10 > session.tasks.length) {
        setJump('');
        actions.jump(n - 1);
      } else setJump(typed);
      return;
    }
    if (jump && matches(input, key, 'JUMP_GO')) {
      setJump('');
      actions.jump(Number(jump) - 1);
      return;
    }
    if (jump && key.escape) return setJump('');
    if (jump && key.backspace) return setJump(jump.slice(0, -1));
    setJump('');
    if (matches(input, key, 'NEXT_TASK')) actions.next();
    else if (matches(input, key, 'PREV_TASK')) actions.prev();
    else if (matches(input, key, 'FLAG')) actions.toggleFlag();
    else if (matches(input, key, 'SCROLL_DOWN')) scrollBy(key.pageDown || input === ' ' ? paneRows - 1 : 1);
    else if (matches(input, key, 'SCROLL_UP')) scrollBy(key.pageUp ? -(paneRows - 1) : -1);
    else if (matches(input, key, 'HELP')) setMode('help');
    else if (matches(input, key, 'END_EXAM')) setMode('confirm-end');
    else if (matches(input, key, 'LEAVE')) setMode('confirm-leave');
  });

  const remaining = session.deadline === null ? '' : ` ${timeLeftWords(session.deadline - clock())} left on the clock.`;
  const unseen = session.tasks.length - seenCount(session);
  const flagged = flaggedCount(session);
  const body =
    mode === 'help'
      ? h(HelpOverlay, gradedHere ? { screen: 'exam' } : { screen: 'exam', help: { END_EXAM: 'end the exam (asks first); your instructor grades it' }, notes: classNotes(rules) })
      : h(
          Box,
          null,
          h(TaskList, { session, width: listWidth }),
          h(Box, { borderStyle: 'single', borderTop: false, borderBottom: false, borderRight: false, borderDimColor: true, paddingLeft: 1 },
            task
              ? h(TaskPane, { task, heading: `Task ${session.current + 1} of ${session.tasks.length}`, kubeconfigEnv: kubeconfigEnv(), width: paneWidth - 2, rows: paneRows, offset, flagged: task.flagged })
              : h(Text, null, 'No tasks.'),
          ),
        );
  const footer =
    mode === 'confirm-end'
      ? h(ConfirmBox, {
          title: gradedHere ? 'End the exam now and grade it?' : 'End the exam now?',
          lines: [
            `${unseen ? `${unseen} task${unseen === 1 ? ' is' : 's are'} still unseen` : 'Every task has been seen'}${flagged ? `, ${flagged} flagged` : ''}.${remaining}`,
            gradedHere ? 'Each task is graded as it is in the cluster now. This cannot be undone.' : 'Nothing is graded here: your instructor grades your work. This cannot be undone.',
          ],
          yes: gradedHere ? 'end and grade' : 'end',
          no: 'keep working',
          color: 'red',
        })
      : mode === 'confirm-leave'
        ? unsaved
          ? h(ConfirmBox, {
              title: 'Leave with unsaved changes?',
              lines: [
                `Your latest changes are NOT saved: ${unsaved.error}.`,
                `The console tries again every few seconds; leaving now loses them (${rules.resume} continues from the last save).${remaining}`,
              ],
              yes: 'leave anyway (ctrl-c too)',
              no: 'stay',
              color: 'red',
            })
          : h(ConfirmBox, {
              title: 'Leave the console?',
              lines: [`The exam stays saved and its clock keeps running.${remaining}`, `Continue with: ${rules.resume}`],
              yes: 'leave',
              no: 'stay',
              color: 'yellow',
            })
        : h(
            Box,
            { flexDirection: 'column' },
            h(Rule, { width }),
            jump ? h(Text, null, h(Text, { color: ACCENT }, 'Go to task '), `${jump}_`, h(Text, { dimColor: true }, '  (enter to go, esc to cancel)')) : null,
            notice ? h(Text, { color: 'yellow' }, notice) : null,
            h(KeyHints, {
              actions: ['NEXT_TASK', 'PREV_TASK', 'JUMP_DIGIT', 'FLAG', 'HELP', 'END_EXAM', 'LEAVE'],
              short: { NEXT_TASK: 'next', PREV_TASK: 'prev', JUMP_DIGIT: 'go to', FLAG: 'flag', HELP: 'help', END_EXAM: 'end exam', LEAVE: 'leave' },
            }),
          );
  return h(Box, { flexDirection: 'column', width }, h(ExamHeader, { session, width, rules }), body, footer);
}

/** The help overlay's rules for a class's exam. */
const classNotes = (rules: ExamRules): string[] => [
  `Work in another terminal with kubectl, pointed at your namespaces with the export line shown on each task (\`eval "$(${rules.resume} --env)"\` also puts kubectl and helm first on PATH).`,
  'As in the real exam there is no grading here: your instructor grades your work. The exam ends by itself at your deadline.',
  `Everything is saved as you go. If this window closes, \`${rules.resume}\` reopens it with the same deadline.`,
];
