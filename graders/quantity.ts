// Kubernetes resource quantities ("500m", "0.5", "1Gi", "1e3"), parsed to exact fractions so that
// "0.5" == "500m" and "1Gi" == "1024Mi" compare equal without floating-point rounding.

/** num/den with den > 0. */
export type Quantity = { num: bigint; den: bigint };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]))?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The quantity `value` denotes, or undefined if it is not a Kubernetes quantity. Numbers are accepted. */
export function parseQuantity(value: unknown): Quantity | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, sign = '', digits = '', exp, binary, decimal] = m;
  const [whole = '', frac = ''] = digits.split('.');
  let num = BigInt((whole || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  let pow10 = 0;
  if (exp !== undefined) pow10 = Number(exp);
  if (decimal !== undefined) pow10 = DECIMAL[decimal] ?? 0;
  // A silly exponent ("1e999999") is not something anyone means; refuse rather than allocate.
  if (Math.abs(pow10) > 100) return undefined;
  if (pow10 >= 0) num *= 10n ** BigInt(pow10);
  else den *= 10n ** BigInt(-pow10);
  if (binary !== undefined) num *= 2n ** BigInt(BINARY[binary] ?? 0);
  if (sign === '-') num = -num;
  return { num, den };
}

/** Negative, zero or positive as a < b, a == b, a > b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}
