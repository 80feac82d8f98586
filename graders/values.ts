// JSON values as the matcher sees them: their kinds, how two scalars compare, and how a value is shown in a
// failure. Leaf module: the path, operator and matcher modules all build on it.

export type Obj = Record<string, unknown>;
export type Scalar = string | number | boolean;

/** How a failure shows a value that is not there. */
export const MISSING = '<missing>';
const MAX_SHOWN = 120;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
/** The API omits what is null: a missing key and a null value are the same. */
export const absent = (v: unknown): boolean => v === undefined || v === null;

/**
 * Scalar equality where a number or boolean also equals its canonical string ("3" == 3, "true" == true):
 * intOrString fields and templated values arrive as strings. `null` expects an absent value.
 */
export function scalarEqual(e: Scalar | null, a: unknown): boolean {
  if (e === null) return absent(a);
  if (e === a) return true;
  if (typeof a === 'string' && (typeof e === 'number' || typeof e === 'boolean')) return String(e) === a;
  if (typeof e === 'string' && (typeof a === 'number' || typeof a === 'boolean')) return e === String(a);
  return false;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A number, or a numeric string (templated numbers arrive as strings). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v);
  return undefined;
}

export const truncate = (s: string): string => (s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s);

/** A value as failures show it: strings bare, the rest as compact JSON, `<missing>` when absent. */
export function formatValue(v: unknown): string {
  if (v === undefined) return MISSING;
  if (typeof v === 'string') return v === '' ? '""' : truncate(v);
  return truncate(JSON.stringify(v) ?? String(v));
}

/** Two different strings that are the same apart from whitespace: shown bare they would look equal. */
export function differOnlyInWhitespace(e: unknown, a: unknown): boolean {
  return typeof e === 'string' && typeof a === 'string' && e !== a && e.replace(/\s+/g, '') === a.replace(/\s+/g, '');
}
