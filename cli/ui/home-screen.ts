// The home screen (`ckad-lab`, `npm start`): start or resume an exam, drill, history, sandbox status. Also
// the two small screens it leads to that are not exams: preparing the sandbox and starting an exam.
import { createElement as h, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { DOMAINS, type Domain } from '../../tasks/schema.ts';
import { weakestDomains } from '../exam/draw.ts';
import { beginExam, DEFAULT_MINUTES, DEFAULT_TASKS, describeInProgress, randomSeed } from '../exam/flow.ts';
import type { Progress } from '../exam/services.ts';
import { StoreError } from '../exam/store.ts';
import { domainTitle, formatPercent } from '../report/summary.ts';
import { ACCENT, KeyHints, ProgressView, Rule } from './components.ts';
import { useAppActions, useConsoleEnv, type Route } from './shared.ts';
import { useAsync, useKeys } from './hooks.ts';
import { matches } from './keys.ts';

type Item = { label: string; detail?: string; go: () => void };

function Menu(props: { title: string; items: readonly Item[]; onBack?: () => void }): ReactNode {
  const app = useAppActions();
  const [selected, setSelected] = useState(0);
  useKeys((input, key) => {
    if (matches(input, key, 'INTERRUPT')) app.exit({ kind: 'quit' });
    else if (matches(input, key, 'UP')) setSelected((s) => (s + props.items.length - 1) % props.items.length);
    else if (matches(input, key, 'DOWN')) setSelected((s) => (s + 1) % props.items.length);
    else if (matches(input, key, 'SELECT')) props.items[selected]?.go();
    else if (props.onBack && matches(input, key, 'BACK')) props.onBack();
    else if (!props.onBack && matches(input, key, 'QUIT')) app.exit({ kind: 'quit' });
  });
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { dimColor: true }, props.title),
    ...props.items.map((item, i) =>
      h(
        Text,
        { key: item.label },
        h(Text, { color: ACCENT, bold: true }, i === selected ? '› ' : '  '),
        h(Text, { bold: i === selected }, item.label),
        item.detail ? h(Text, { dimColor: true }, `  ${item.detail}`) : null,
      ),
    ),
  );
}

export function HomeScreen(): ReactNode {
  const { services, store, clock } = useConsoleEnv();
  const app = useAppActions();
  const [status] = useAsync(() => services.sandboxStatus(), 'status');
  const [menu, setMenu] = useState<'main' | 'domains'>('main');
  const { active, problem, weakest } = useMemo(() => {
    try {
      return { active: store.active()?.session, problem: undefined, weakest: weakestDomains(store.history().records) };
    } catch (error) {
      if (error instanceof StoreError) return { active: undefined, problem: error.message, weakest: [] };
      throw error;
    }
  }, [store]);
  const drill = (choice: { weakest: true } | { domain: Domain } | { any: true }) => app.navigate({ screen: 'drill', choice, timed: false, seed: randomSeed() });
  const items: Item[] = [
    active
      ? { label: 'Resume the exam in progress', detail: describeInProgress(active, clock()), go: () => app.navigate({ screen: 'exam', session: active }) }
      : { label: 'Start a mock exam', detail: `${DEFAULT_TASKS} tasks · ${DEFAULT_MINUTES} min · weighted like the real exam`, go: () => app.navigate({ screen: 'exam-start' }) },
    ...(weakest[0]
      ? [{ label: 'Drill your weakest domain', detail: `${domainTitle(weakest[0].domain)} · ${formatPercent(weakest[0].percent)}`, go: () => drill({ weakest: true }) }]
      : []),
    { label: 'Drill a domain…', go: () => setMenu('domains') },
    { label: 'Drill a random task', go: () => drill({ any: true }) },
    { label: 'History', go: () => app.navigate({ screen: 'history' }) },
    {
      label: 'Sandbox',
      detail: status.status === 'done' ? `${status.value.running ? 'running' : 'not running'} · ${status.value.detail}` : status.status === 'failed' ? status.message : 'checking…',
      go: () => app.navigate({ screen: 'sandbox', then: { screen: 'home' } }),
    },
    { label: 'Quit', go: () => app.exit({ kind: 'quit' }) },
  ];
  const domainItems: Item[] = (Object.keys(DOMAINS) as Domain[]).map((d) => ({ label: DOMAINS[d].title, detail: `${DOMAINS[d].weight}% of the exam`, go: () => drill({ domain: d }) }));
  return h(
    Box,
    { flexDirection: 'column', paddingX: 1 },
    h(Text, { bold: true }, 'ckad-lab', h(Text, { dimColor: true }, '  ·  CKAD exam practice')),
    h(Rule, { width: 60 }),
    problem ? h(Text, { color: 'red' }, problem) : null,
    menu === 'main' ? h(Menu, { key: 'main', title: 'What next?', items }) : h(Menu, { key: 'domains', title: 'Drill which domain? (esc: back)', items: domainItems, onBack: () => setMenu('main') }),
    h(Rule, { width: 60 }),
    h(KeyHints, { actions: ['UP', 'DOWN', 'SELECT', 'QUIT'], short: { UP: 'up', DOWN: 'down', SELECT: 'choose', QUIT: 'quit' } }),
  );
}

/** Builds and starts the sandbox with progress, then goes on to `then`. */
export function SandboxScreen(props: { then: Route }): ReactNode {
  const { services } = useConsoleEnv();
  const app = useAppActions();
  const [progress, setProgress] = useState<Progress | undefined>(undefined);
  const [state, retry] = useAsync(() => services.ensureSandbox(setProgress), 'sandbox');
  useEffect(() => {
    if (state.status === 'done') app.navigate(props.then);
  }, [state, app, props.then]);
  useKeys((input, key) => {
    if (matches(input, key, 'INTERRUPT') || matches(input, key, 'QUIT')) app.exit(state.status === 'failed' ? { kind: 'error', error: state.error } : { kind: 'quit' });
    else if (state.status === 'failed' && matches(input, key, 'RETRY')) retry();
  });
  if (state.status === 'failed') {
    return h(Box, { flexDirection: 'column', paddingX: 1 }, h(Text, { color: 'red', bold: true }, 'The sandbox did not start'), h(Text, null, state.message), h(KeyHints, { actions: ['RETRY', 'QUIT'] }));
  }
  return h(ProgressView, { title: 'Preparing the sandbox', progress });
}

/** Draws a new exam from the home screen; refuses like `ckad-lab exam` when one is in progress. */
export function ExamStartScreen(): ReactNode {
  const { services, store, clock } = useConsoleEnv();
  const app = useAppActions();
  const [state] = useAsync(() => beginExam(services, store, { now: clock }), 'begin');
  useEffect(() => {
    if (state.status === 'done' && state.value.ok) app.navigate({ screen: 'exam', session: state.value.session });
  }, [state, app]);
  const message = state.status === 'failed' ? state.message : state.status === 'done' && !state.value.ok ? state.value.message : undefined;
  useKeys((input, key) => {
    if (matches(input, key, 'INTERRUPT')) app.exit({ kind: 'quit' });
    else if (matches(input, key, 'BACK')) app.navigate({ screen: 'home' });
  }, message !== undefined);
  if (message) return h(Box, { flexDirection: 'column', paddingX: 1 }, h(Text, { color: 'yellow' }, message), h(KeyHints, { actions: ['BACK'] }));
  return h(Text, null, 'Drawing the exam…');
}
