// Argument schemas shared by custom checks. Bad arguments are an authoring bug: parseArgs throws, and
// tasks lint reports the same messages through validateCustomCheck (graders/custom/index.ts).
import { z } from 'zod';
import { MISSING, validateExpect, type Failure } from '../match.ts';
import { parseSelector } from '../selector.ts';

const expectIssues = (v: unknown, ctx: z.RefinementCtx): void => {
  for (const p of validateExpect(v)) ctx.addIssue({ code: 'custom', message: p });
};

/** An expectation over an object (matched with graders/match.ts). */
export const ObjectExpect = z.record(z.string(), z.unknown()).superRefine(expectIssues);

/** A count: a number (templated numbers arrive as numeric strings) or an expectation like {$gte: 2}. */
export const CountExpect = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'must be a whole number'), z.record(z.string(), z.unknown())])
  .superRefine(expectIssues);

/** A label selector in kubectl syntax. */
export const LabelSelector = z.string().min(1).superRefine((v, ctx) => {
  try {
    parseSelector(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export function parseArgs<T extends z.ZodType>(check: string, schema: T, args: unknown): z.infer<T> {
  const r = schema.safeParse(args);
  if (!r.success) throw new Error(`custom check ${check}: invalid args: ${z.prettifyError(r.error).replaceAll('\n', ' ')}`);
  return r.data;
}

/** The failure for an object a check needs that does not exist. */
export function missingObject(kind: string, name: string, namespace?: string): Failure {
  return {
    path: `${kind}/${name}`,
    expected: `${kind} ${name}`,
    actual: MISSING,
    message: `${kind} ${name} not found${namespace ? ` in namespace ${namespace}` : ''}`,
  };
}
