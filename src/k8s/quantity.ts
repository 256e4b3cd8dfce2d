// Kubernetes resource quantities (k8s.io/apimachinery resource.ParseQuantity): one parser for the
// annotation checks, the canonical form the injected pod carries (`4000m` is written `4`, `1024Mi` is
// `1Gi`, as the API server re-serializes them) and the numbers the analyzer adds up.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export type ParsedQuantity =
  | {
      readonly ok: true;
      readonly negative: boolean;
      /** value = mantissa * 10^scale * 2^binaryExponent */
      readonly mantissa: bigint;
      readonly scale: number;
      readonly binaryExponent: number;
      readonly format: QuantityFormat;
    }
  | { readonly ok: false; readonly reason: string };

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([suffix, exponent]) => [exponent, suffix]));
const BINARY_BY_POWER = new Map(Object.entries(BINARY_SUFFIXES).map(([suffix, power]) => [power, suffix]));
// meshgate refuses exponents beyond this (Kubernetes accepts them, but no resource is 10^100 of anything).
const MAX_DECIMAL_EXPONENT = 64;
// Sign, digits with an optional fraction, then the suffix characters Kubernetes scans for (a unit or an
// exponent). As in Kubernetes, the digits may be absent: `m`, `.` and `Mi` all read as zero.
const QUANTITY = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** Parses a quantity the way Kubernetes does: sign, digits, optional fraction, suffix. */
export function parseQuantity(text: string): ParsedQuantity {
  if (text === '') return { ok: false, reason: 'empty' };
  const match = QUANTITY.exec(text);
  if (!match) return { ok: false, reason: 'not a number with an optional unit' };
  const [, sign = '', whole = '', fraction = '', suffix = ''] = match;
  let decimalExponent: number;
  let binaryExponent = 0;
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIXES) {
    decimalExponent = DECIMAL_SUFFIXES[suffix]!;
    format = 'DecimalSI';
  } else if (suffix in BINARY_SUFFIXES) {
    decimalExponent = 0;
    binaryExponent = BINARY_SUFFIXES[suffix]!;
    format = 'BinarySI';
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    decimalExponent = Number(suffix.slice(1));
    format = 'DecimalExponent';
    if (Math.abs(decimalExponent) > MAX_DECIMAL_EXPONENT) return { ok: false, reason: `exponent ${suffix} is out of range` };
  } else {
    return { ok: false, reason: `unknown unit '${suffix}'` };
  }
  if (whole.length + fraction.length > 64) return { ok: false, reason: 'too many digits' };
  const mantissa = BigInt(`${whole}${fraction}` || '0');
  return { ok: true, negative: sign === '-', mantissa, scale: decimalExponent - fraction.length, binaryExponent, format };
}

// Every injected pod writes the same few proxy resources: remember their canonical form (bounded).
const canonicalCache = new Map<string, string | undefined>();

/** The canonical text of a quantity (what the API server writes back), or undefined when it does not parse. */
export function canonicalQuantity(text: string): string | undefined {
  if (canonicalCache.has(text)) return canonicalCache.get(text);
  const canonical = canonicalOf(text);
  if (canonicalCache.size >= 256) canonicalCache.clear();
  canonicalCache.set(text, canonical);
  return canonical;
}

function canonicalOf(text: string): string | undefined {
  const parsed = parseQuantity(text.trim());
  if (!parsed.ok) return undefined;
  const sign = parsed.negative ? '-' : '';
  if (parsed.mantissa === 0n) return '0';
  if (parsed.format === 'BinarySI') {
    const binary = canonicalBinary(parsed.mantissa, parsed.scale, parsed.binaryExponent);
    if (binary !== undefined) return `${sign}${binary}`;
    // Not whole bytes: Kubernetes falls back to the decimal form of the value.
    return `${sign}${canonicalDecimal(parsed.mantissa * 2n ** BigInt(parsed.binaryExponent), parsed.scale)}`;
  }
  return `${sign}${canonicalDecimal(parsed.mantissa, parsed.scale)}`;
}

/** Decimal SI: the largest exponent (a multiple of 3) that keeps an integer mantissa, nano at the finest. */
function canonicalDecimal(mantissa: bigint, scale: number): string {
  let digits = mantissa;
  let exponent = scale;
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
  while (digits % 1000n === 0n && digits !== 0n && exponent < 18) {
    digits /= 1000n;
    exponent += 3;
  }
  return `${digits}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}

/** Binary SI: the largest power of 1024 that keeps an integer mantissa; undefined when not whole bytes. */
function canonicalBinary(mantissa: bigint, scale: number, power: number): string | undefined {
  // value = mantissa * 10^scale * 2^power, with scale <= 0 (a fraction) for binary quantities.
  const divisor = 10n ** BigInt(-scale);
  const scaled = mantissa * 2n ** BigInt(power);
  if (scaled % divisor !== 0n) return undefined;
  let bytes = scaled / divisor;
  let unit = 0;
  while (bytes % 1024n === 0n && unit < 60) {
    bytes /= 1024n;
    unit += 10;
  }
  if (unit === 0) return canonicalDecimal(bytes, 0);
  return `${bytes}${BINARY_BY_POWER.get(unit)!}`;
}

/** Canonical copy of a `{cpu, memory}` list; values that do not parse are kept as written. */
export function canonicalResourceList(list: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(list)) out[name] = canonicalQuantity(String(value)) ?? String(value);
  return out;
}

/** A quantity as a plain number (CPU in cores, memory in bytes); undefined when it is not a quantity. */
export function quantityValue(value: string | number | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const parsed = parseQuantity(value.trim());
  if (!parsed.ok) return undefined;
  const number = Number(parsed.mantissa) * 10 ** parsed.scale * 2 ** parsed.binaryExponent;
  return parsed.negative ? -number : number;
}

/** Cores as a quantity for messages: `250m`, `2`. */
export function formatCpu(cores: number): string {
  return cores < 1 ? `${Math.round(cores * 1000)}m` : `${Number(cores.toFixed(3))}`;
}

/** Bytes as a quantity for messages: `1Gi` when whole, else `Mi`. */
export function formatMemory(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}Gi`;
  return `${Math.round(bytes / 1024 ** 2)}Mi`;
}
