// Countdown arithmetic, pure. Everything is computed from a fixed deadline and the current time, never by
// counting ticks, so a late timer, a suspended laptop or a resumed session cannot make the clock drift.

export const WARN_MS = 15 * 60_000;
export const URGENT_MS = 5 * 60_000;

/** calm; warn at 15 minutes left; urgent at 5; expired at zero. */
export type CountdownLevel = 'calm' | 'warn' | 'urgent' | 'expired';

export type Countdown = {
  remainingMs: number;
  /** H:MM:SS, rounded up to the whole second, so 0:00:00 shows exactly when time is up. */
  text: string;
  level: CountdownLevel;
  expired: boolean;
};

export const remainingMs = (deadline: number, now: number): number => Math.max(0, deadline - now);

export function formatClock(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export function countdownLevel(remaining: number): CountdownLevel {
  if (remaining <= 0) return 'expired';
  if (remaining <= URGENT_MS) return 'urgent';
  if (remaining <= WARN_MS) return 'warn';
  return 'calm';
}

export function countdown(deadline: number, now: number): Countdown {
  const remaining = remainingMs(deadline, now);
  const level = countdownLevel(remaining);
  return { remainingMs: remaining, text: formatClock(remaining), level, expired: level === 'expired' };
}

/**
 * Milliseconds until the displayed second changes: the remaining time's fraction of a second, or a whole
 * second when it is exactly on one. Scheduling each tick from this keeps the display in step with the deadline.
 */
export function msUntilNextTick(deadline: number, now: number): number {
  const remaining = remainingMs(deadline, now);
  if (remaining === 0) return 0;
  const fraction = remaining % 1000;
  return fraction === 0 ? 1000 : fraction;
}

/** What the header says at a warning level; empty when calm. */
export function warningText(level: CountdownLevel): string {
  switch (level) {
    case 'warn':
      return 'Less than 15 minutes left';
    case 'urgent':
      return 'Less than 5 minutes left';
    case 'expired':
      return "Time's up";
    case 'calm':
      return '';
  }
}

/**
 * Time left in words, read off the clock (formatClock) so the two never disagree: at 0:19:21 it is
 * `19 minutes`, never 20; `1 hour 5 minutes`; under a minute, `40 seconds`.
 */
export function timeLeftWords(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (total < 60) return plural(total, 'second');
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return h === 0 ? plural(m, 'minute') : m === 0 ? plural(h, 'hour') : `${plural(h, 'hour')} ${plural(m, 'minute')}`;
}
