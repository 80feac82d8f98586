// What a check reports when a live object is not as expected: the contract between the matcher, custom
// checks, the engine and every report.
import { z } from 'zod';

export const Failure = z.object({
  /** Where, e.g. `spec.template.spec.containers[web].image`; `Deployment/web` for a missing object. */
  path: z.string(),
  expected: z.string(),
  actual: z.string(),
  /** Says what is wrong without the path, e.g. `expected nginx:1.27, got nginx:1.25`. */
  message: z.string(),
});
export type Failure = z.infer<typeof Failure>;

/** Sorts by path (plain code-unit order, so it is the same everywhere); equal paths keep their order. */
export function sortFailures(failures: Failure[]): Failure[] {
  return failures.map((f, i) => [f, i] as const)
    .sort(([a, i], [b, j]) => (a.path < b.path ? -1 : a.path > b.path ? 1 : i - j))
    .map(([f]) => f);
}
