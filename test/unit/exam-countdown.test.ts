import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createElement as h } from 'react';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { countdown, countdownLevel, formatClock, msUntilNextTick, timeLeftWords, URGENT_MS, WARN_MS } from '../../cli/exam/countdown.ts';
import { useCountdown, useDeadline } from '../../cli/ui/hooks.ts';

describe('countdown arithmetic', () => {
  it('formats H:MM:SS, rounding up to the whole second', () => {
    expect(formatClock(2 * 3600_000)).toBe('2:00:00');
    expect(formatClock(3600_000 + 61_000)).toBe('1:01:01');
    expect(formatClock(999)).toBe('0:00:01');
    expect(formatClock(1)).toBe('0:00:01');
    expect(formatClock(0)).toBe('0:00:00');
    expect(formatClock(-5000)).toBe('0:00:00');
  });

  it('says time left in words by the clock\'s own reading, never a minute more than it shows', () => {
    const cases: [number, string][] = [
      [19 * 60_000 + 21_000, '19 minutes'], // the clock shows 0:19:21 (the leave dialog once said 20)
      [19 * 60_000 + 59_500, '20 minutes'], // 0:20:00 on the clock
      [60_000, '1 minute'],
      [59_001, '1 minute'], // 0:01:00
      [40_000, '40 seconds'],
      [1, '1 second'],
      [0, '0 seconds'],
      [2 * 3600_000, '2 hours'],
      [3600_000 + 5 * 60_000 + 30_000, '1 hour 5 minutes'],
    ];
    for (const [ms, words] of cases) {
      expect(timeLeftWords(ms), formatClock(ms)).toBe(words);
      const [h, m] = formatClock(ms).split(':').map(Number) as [number, number];
      if (ms >= 60_000) expect(words).toContain(String(h > 0 && m === 0 ? h : m));
    }
  });

  it('warns at 15 minutes, urges at 5, expires at zero', () => {
    expect(countdownLevel(WARN_MS + 1)).toBe('calm');
    expect(countdownLevel(WARN_MS)).toBe('warn');
    expect(countdownLevel(URGENT_MS + 1)).toBe('warn');
    expect(countdownLevel(URGENT_MS)).toBe('urgent');
    expect(countdownLevel(1)).toBe('urgent');
    expect(countdownLevel(0)).toBe('expired');
    expect(countdown(1000, 5000)).toEqual({ remainingMs: 0, text: '0:00:00', level: 'expired', expired: true });
  });

  it('schedules the next tick at the next change of the displayed second', () => {
    expect(msUntilNextTick(10_000, 0)).toBe(1000);
    expect(msUntilNextTick(10_000, 250)).toBe(750);
    expect(msUntilNextTick(10_000, 9_999)).toBe(1);
    expect(msUntilNextTick(10_000, 10_000)).toBe(0);
  });
});

describe('useCountdown and useDeadline (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // Ink draws at most 30 frames a second: after the clock moves, let its render throttle (33 ms) run too.
  const advance = async (ms: number) => {
    await vi.advanceTimersByTimeAsync(ms);
    await vi.advanceTimersByTimeAsync(50);
  };

  function Clock(props: { deadline: number | null; onExpire?: () => void }) {
    const c = useCountdown(props.deadline);
    useDeadline(props.deadline, props.onExpire ?? (() => {}));
    return h(Text, null, c ? `[${c.text} ${c.level}]` : '[untimed]');
  }

  it('ticks from the fixed deadline and ends at zero, calling onExpire once', async () => {
    const deadline = Date.now() + 3_500;
    const onExpire = vi.fn();
    const app = render(h(Clock, { deadline, onExpire }));
    expect(app.lastFrame()).toContain('[0:00:04 urgent]');
    await advance(500);
    expect(app.lastFrame()).toContain('[0:00:03 urgent]');
    expect(onExpire).not.toHaveBeenCalled();
    await advance(3_000);
    expect(app.lastFrame()).toContain('[0:00:00 expired]');
    expect(onExpire).toHaveBeenCalledTimes(1);
    await advance(10_000);
    expect(onExpire).toHaveBeenCalledTimes(1);
    app.unmount();
  });

  it('does not drift when a timer fires late: the display follows the clock, not the tick count', async () => {
    const deadline = Date.now() + 60_000;
    const app = render(h(Clock, { deadline }));
    expect(app.lastFrame()).toContain('[0:01:00');
    // The process was suspended for 20.3 s: no timer ran, the wall clock moved on.
    vi.setSystemTime(Date.now() + 20_300);
    await advance(1_000);
    expect(app.lastFrame()).toContain(`[${formatClock(deadline - Date.now())}`);
    expect(app.lastFrame()).toContain('[0:00:39');
    app.unmount();
  });

  it('untimed shows no clock and never expires', async () => {
    const onExpire = vi.fn();
    const app = render(h(Clock, { deadline: null, onExpire }));
    expect(app.lastFrame()).toContain('[untimed]');
    await advance(10 * 3_600_000);
    expect(onExpire).not.toHaveBeenCalled();
    app.unmount();
  });

  it('unmounting clears the timers: nothing fires after', async () => {
    const onExpire = vi.fn();
    const timed = render(h(Clock, { deadline: Date.now() + 2_000, onExpire }));
    expect(timed.lastFrame()).toContain('[0:00:02');
    timed.unmount();
    await advance(5_000);
    expect(onExpire).not.toHaveBeenCalled();
    expect(timed.frames.filter((f) => /\[0:00:0[01]/.test(f))).toEqual([]);
  });
});
