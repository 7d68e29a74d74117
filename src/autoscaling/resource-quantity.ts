/**
 * Kubernetes resource quantities ("250m", "1.5", "128Mi", "12345678n", "1e3") parsed exactly as
 * apimachinery's `resource.ParseQuantity` reads them: a signed decimal number and a suffix that is
 * binary SI (Ki..Ei, powers of 1024), decimal SI (n u m "" k M G T P E) or a decimal exponent
 * (`e`/`E` and a signed integer). The value is kept as an exact fraction of big integers, so
 * `MilliValue()`/`Value()` (which round up, as Kubernetes' do) never suffer binary float error.
 */
import { AppError } from '../shared/index.js';

/** An exact quantity: numerator / denominator, denominator > 0. */
export interface Quantity {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const BINARY_SI: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};

const DECIMAL_SI: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

// Bounds so a hostile "1e999999999" cannot make a huge big integer (apimachinery caps its own
// exponent handling too; no real usage or request comes near these).
const MAX_LENGTH = 64;
const MAX_EXPONENT = 64;

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;

const bad = (text: string, why: string): AppError =>
  new AppError('AUTOSCALING_METRIC_SOURCE_FAILED', `quantity ${JSON.stringify(text)}: ${why}`);

function decimalExponent(text: string, suffix: string): number | undefined {
  if (suffix in DECIMAL_SI) return DECIMAL_SI[suffix];
  if (!/^[eE][+-]?\d+$/.test(suffix)) return undefined;
  const exponent = Number(suffix.slice(1));
  if (Math.abs(exponent) > MAX_EXPONENT) throw bad(text, 'exponent out of range');
  return exponent;
}

/** Parses a quantity; throws AUTOSCALING_METRIC_SOURCE_FAILED on anything Kubernetes would refuse. */
export function parseQuantity(text: string): Quantity {
  if (text.length === 0 || text.length > MAX_LENGTH) throw bad(text, 'empty or too long');
  const match = NUMBER.exec(text);
  const [, sign = '', whole = '', fraction = '', suffix = ''] = match ?? [];
  if (match === null || whole.length + fraction.length === 0) throw bad(text, 'no number');
  let numerator = BigInt(`${whole}${fraction}` || '0') * (sign === '-' ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  const binary = BINARY_SI[suffix];
  if (binary !== undefined) numerator *= 2n ** BigInt(binary);
  else {
    const exponent = decimalExponent(text, suffix);
    if (exponent === undefined) throw bad(text, `unknown suffix ${JSON.stringify(suffix)}`);
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  return { numerator, denominator };
}

/** ceil(a / b) for b > 0 (BigInt division truncates toward zero). */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b > 0n ? q + 1n : q;
}

/** The quantity in thousandths, rounded up: Kubernetes' `MilliValue()` (cpu in millicores). */
export function milliValue(q: Quantity): number {
  return Number(ceilDiv(q.numerator * 1000n, q.denominator));
}
