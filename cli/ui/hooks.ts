// The console's hooks. Timers live only here, and are computed from fixed deadlines, never counted.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useInput, useStdin, type Key } from 'ink';
import { countdown, msUntilNextTick, type Countdown } from '../exam/countdown.ts';
import { SAVE_RETRY_MS } from '../exam/flow.ts';

/**
 * useInput, active only where raw mode is supported (so a piped stdin never throws) and when `active`.
 * Screens with modes (help open, confirmation) handle every mode in one handler instead of stacking hooks.
 */
export function useKeys(handler: (input: string, key: Key) => void, active = true): void {
  const { isRawModeSupported } = useStdin();
  useInput(handler, { isActive: isRawModeSupported && active });
}

/**
 * The countdown to `deadline`, re-rendering exactly when the displayed second changes: each timeout is set
 * to the next whole second before the deadline, computed afresh from the clock, so it cannot drift. Null
 * when there is no deadline (untimed).
 */
export function useCountdown(deadline: number | null, clock: () => number = Date.now): Countdown | null {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    if (deadline === null) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const t = clock();
      setNow(t);
      const wait = msUntilNextTick(deadline, t);
      if (wait > 0) timer = setTimeout(tick, wait);
    };
    tick();
    return () => clearTimeout(timer);
  }, [deadline, clock]);
  return deadline === null ? null : countdown(deadline, now);
}

// setTimeout holds at most a signed 32-bit number of milliseconds (about 24.8 days).
const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * Asks `watch.check()` every `watch.everyMs` (one at a time) and calls `onClosed` once when it answers false.
 * A check that fails (the network) counts as open: only a definite no ends anything.
 */
export function useStillOpen(watch: { check: () => Promise<boolean>; everyMs: number } | undefined, onClosed: () => void): void {
  const callback = useRef(onClosed);
  callback.current = onClosed;
  useEffect(() => {
    if (!watch) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const ask = async () => {
      const open = await watch.check().catch(() => true);
      if (stopped) return;
      if (!open) callback.current();
      else timer = setTimeout(ask, watch.everyMs);
    };
    timer = setTimeout(ask, watch.everyMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [watch]);
}

/** Calls `onExpire` once when the clock reaches `deadline` (at once if it already has). One timer, no ticks. */
export function useDeadline(deadline: number | null, onExpire: () => void, clock: () => number = Date.now): void {
  const callback = useRef(onExpire);
  callback.current = onExpire;
  useEffect(() => {
    if (deadline === null) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () => {
      const left = deadline - clock();
      if (left <= 0) callback.current();
      else timer = setTimeout(check, Math.min(left, MAX_TIMEOUT));
    };
    check();
    return () => clearTimeout(timer);
  }, [deadline, clock]);
}

/**
 * useReducer whose every real change is saved before it is shown: `save` runs synchronously inside
 * dispatch, so a keypress that was drawn was also written. A failed save is reported (third element) and
 * tried again every `retryMs` (and with the next change) until it succeeds; the state in memory moves on
 * either way, so nothing the candidate did is dropped while the disk refuses.
 */
export function usePersistentReducer<S, A>(
  reducer: (state: S, action: A) => S,
  initial: S,
  save: (state: S) => void,
  retryMs = SAVE_RETRY_MS,
): [S, (action: A) => void, string | undefined] {
  const current = useRef(initial);
  const [state, setState] = useState(initial);
  const [saveError, setSaveError] = useState<string | undefined>(undefined);
  const trySave = useCallback(
    (next: S): boolean => {
      try {
        save(next);
        setSaveError(undefined);
        return true;
      } catch (error) {
        setSaveError(`Your latest changes are NOT saved: ${(error as Error).message.replace(/\.$/, '')}. Trying again every ${Math.round(retryMs / 1000)} s; leaving now would lose them.`);
        return false;
      }
    },
    [save, retryMs],
  );
  const dispatch = useCallback(
    (action: A) => {
      const next = reducer(current.current, action);
      if (Object.is(next, current.current)) return;
      current.current = next;
      trySave(next);
      setState(next);
    },
    [reducer, trySave],
  );
  const failing = saveError !== undefined;
  useEffect(() => {
    if (!failing) return undefined;
    // One timer at a time, re-armed after each failed attempt; none once a save has succeeded.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const retry = () => {
      if (!trySave(current.current)) timer = setTimeout(retry, retryMs);
    };
    timer = setTimeout(retry, retryMs);
    return () => clearTimeout(timer);
  }, [failing, trySave, retryMs]);
  return [state, dispatch, saveError];
}

/** An error for the screen: its message, and what to do about it when it says (a UserError's hint). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const hint = (error as { hint?: unknown }).hint;
  return typeof hint === 'string' && hint ? `${error.message}\n${hint}` : error.message;
}

/** `failed` keeps the error itself, so a screen that cannot handle it can pass it on (Outcome `error`). */
export type AsyncState<T> = { status: 'pending' } | { status: 'done'; value: T } | { status: 'failed'; message: string; error: unknown };

/**
 * Runs `run` when `key` changes (or `retry()` is called) and tracks its result; a result that arrives
 * after unmount or after a newer run is dropped.
 */
export function useAsync<T>(run: () => Promise<T>, key: unknown): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: 'pending' });
  const [attempt, setAttempt] = useState(0);
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    let live = true;
    setState({ status: 'pending' });
    runRef.current().then(
      (value) => live && setState({ status: 'done', value }),
      (error: unknown) => live && setState({ status: 'failed', message: errorText(error), error }),
    );
    return () => {
      live = false;
    };
  }, [key, attempt]);
  return [state, useCallback(() => setAttempt((a) => a + 1), [])];
}
