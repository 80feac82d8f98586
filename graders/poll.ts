// The one wait-until-deadline loop: every "wait until X, at most N seconds" in ckad-lab goes through poll()
// (grading's `eventually` checks, the sandbox's waits, the runner's). A leaf that imports nothing, so graders/
// can use it without depending on sandbox/.

export type PollOptions = ({ timeoutMs: number } | { /** Epoch ms, in `now()`'s terms. */ deadline: number }) & {
  /** How long to sleep between tries; never past the deadline. */
  intervalMs: number;
  /**
   * Back off: each sleep is half as long again as the one before, up to this. For waits that may take long
   * while many run at once (a class sets hundreds of tasks up), so a slow wait costs the API server few reads.
   */
  maxIntervalMs?: number;
  /** Injected in tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Calls `probe` until it returns something other than undefined, and returns that; `undefined` once the deadline
 * has passed (the probe has then run at least once at or after it). The caller words its own timeout.
 */
export async function poll<T>(probe: () => Promise<T | undefined> | T | undefined, opts: PollOptions): Promise<T | undefined> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const deadline = 'deadline' in opts ? opts.deadline : now() + opts.timeoutMs;
  let interval = opts.intervalMs;
  for (;;) {
    const expired = now() >= deadline;
    const value = await probe();
    if (value !== undefined) return value;
    if (expired) return undefined;
    await sleep(Math.max(0, Math.min(interval, deadline - now())));
    if (opts.maxIntervalMs !== undefined) interval = Math.min(opts.maxIntervalMs, Math.round(interval * 1.5));
  }
}
