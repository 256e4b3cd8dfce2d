// Kubernetes resource quantities in canonical form. Istio renders proxy resources as text and the API
// server (or kube-inject's Go types) re-serializes them canonically: `4000m` becomes `4`, `1000m`
// becomes `1`, `1024Mi` becomes `1Gi`. The injected pod carries the canonical form, as Istio's does.

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([suffix, exp]) => [exp, suffix]));
const BINARY_BY_POWER = new Map(Object.entries(BINARY_SUFFIXES).map(([suffix, power]) => [power, suffix]));

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?[0-9]+))?$/;

/** An exact rational value: numerator / 10^scale. */
interface Exact {
  readonly negative: boolean;
  readonly digits: bigint;
  readonly scale: number;
}

function parseDecimal(sign: string, text: string): Exact {
  const [whole = '', fraction = ''] = text.split('.');
  return { negative: sign === '-', digits: BigInt(`${whole}${fraction}` || '0'), scale: fraction.length };
}

/** Returns the canonical text of a quantity, or undefined when it does not parse (left unchanged). */
export function canonicalQuantity(text: string): string | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, sign = '', number = '', suffix, exponent] = match;
  const value = parseDecimal(sign, number);
  if (suffix !== undefined && suffix in BINARY_SUFFIXES) return canonicalBinary(value, BINARY_SUFFIXES[suffix]!) ?? canonicalDecimal(value, 0);
  const shift = suffix !== undefined ? DECIMAL_SUFFIXES[suffix]! : exponent !== undefined ? Number(exponent) : 0;
  return canonicalDecimal(value, shift);
}

/** Decimal SI: the largest exponent (a multiple of 3) that keeps an integer mantissa. */
function canonicalDecimal(value: Exact, shift: number): string {
  // value = digits * 10^(shift - scale); Kubernetes keeps nano precision at most.
  let digits = value.digits;
  let exponent = shift - value.scale;
  if (digits === 0n) return '0';
  while (exponent < -9) {
    // Finer than nano: round up (away from zero), as Kubernetes does.
    const remainder = digits % 10n;
    digits = digits / 10n + (remainder !== 0n ? 1n : 0n);
    exponent += 1;
  }
  while (exponent % 3 !== 0) {
    digits *= 10n;
    exponent -= 1;
  }
  while (digits % 1000n === 0n && exponent < 18) {
    digits /= 1000n;
    exponent += 3;
  }
  const suffix = DECIMAL_BY_EXPONENT.get(exponent) ?? '';
  return `${value.negative ? '-' : ''}${digits}${suffix}`;
}

/** Binary SI: the largest power of 1024 that keeps an integer mantissa; undefined when not whole bytes. */
function canonicalBinary(value: Exact, power: number): string | undefined {
  const scaleDivisor = 10n ** BigInt(value.scale);
  const bytesTimesScale = value.digits * 2n ** BigInt(power);
  if (bytesTimesScale % scaleDivisor !== 0n) return undefined;
  let mantissa = bytesTimesScale / scaleDivisor;
  if (mantissa === 0n) return '0';
  let unit = 0;
  while (mantissa % 1024n === 0n && unit < 60) {
    mantissa /= 1024n;
    unit += 10;
  }
  if (unit === 0) return canonicalDecimal({ negative: value.negative, digits: mantissa, scale: 0 }, 0);
  return `${value.negative ? '-' : ''}${mantissa}${BINARY_BY_POWER.get(unit)!}`;
}

/** Canonical copy of a `{cpu, memory}` list; values that do not parse are kept as written. */
export function canonicalResourceList(list: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(list)) out[name] = canonicalQuantity(String(value)) ?? String(value);
  return out;
}
