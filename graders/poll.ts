// The one wait-until-deadline loop: every "wait until X, at most N seconds" in ckad-lab goes through poll().

export type PollOptions = {
  timeoutMs: number;
  /** How long to sleep between tries. */
  intervalMs: number;
  /** Injected in tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Calls `probe` until it returns something other than undefined, and returns that; `undefined` once the deadline
 * has passed (the probe has then run at least once after it). The caller words its own timeout.
 */
export async function poll<T>(probe: () => Promise<T | undefined> | T | undefined, opts: PollOptions): Promise<T | undefined> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const deadline = now() + opts.timeoutMs;
  for (;;) {
    const expired = now() > deadline;
    const value = await probe();
    if (value !== undefined) return value;
    if (expired) return undefined;
    await sleep(opts.intervalMs);
  }
}
