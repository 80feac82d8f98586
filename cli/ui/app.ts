// The console's root: provides the lab and the app actions, and shows the screen for the current route.
// Kept to routing; each screen owns its own state.
import { createElement as h, useCallback, useMemo, useState, type ReactNode } from 'react';
import { useApp } from 'ink';
import { AppActionsContext, ConsoleEnvContext, type AppActions, type ConsoleEnv, type Outcome, type Route } from './shared.ts';
import { DrillRoute } from './drill-screen.ts';
import { ExamRoute } from './exam-route.ts';
import { HistoryScreen } from './history-screen.ts';
import { ExamStartScreen, HomeScreen, SandboxScreen } from './home-screen.ts';

function Screen(props: { route: Route }): ReactNode {
  const { route } = props;
  switch (route.screen) {
    case 'home':
      return h(HomeScreen);
    case 'sandbox':
      return h(SandboxScreen, { then: route.then });
    case 'exam-start':
      return h(ExamStartScreen);
    case 'exam':
      return h(ExamRoute, { key: route.session.id, session: route.session });
    case 'drill':
      return h(DrillRoute, { key: `drill-${route.seed}`, choice: route.choice, timed: route.timed, seed: route.seed, ...(route.avoid ? { avoid: route.avoid } : {}) });
    case 'history':
      return h(HistoryScreen);
  }
}

export type AppProps = {
  lab: ConsoleEnv;
  initial: Route;
  /** Opened as `ckad-lab` (home screen) rather than a subcommand: screens go back home instead of quitting. */
  canGoHome: boolean;
  /** Told how the console ended, just before Ink exits. */
  onOutcome?: (outcome: Outcome) => void;
};

export function App(props: AppProps): ReactNode {
  const { exit } = useApp();
  const [route, setRoute] = useState<Route>(props.initial);
  const { onOutcome } = props;
  const leave = useCallback(
    (outcome: Outcome) => {
      onOutcome?.(outcome);
      exit(outcome);
    },
    [exit, onOutcome],
  );
  const actions = useMemo<AppActions>(() => ({ navigate: setRoute, exit: leave, canGoHome: props.canGoHome }), [leave, props.canGoHome]);
  return h(ConsoleEnvContext.Provider, { value: props.lab }, h(AppActionsContext.Provider, { value: actions }, h(Screen, { route })));
}
