// Kubernetes quantities: one parser (as resource.ParseQuantity reads them), the canonical form the API
// server prints (reference section 2: proxyCPU etc.) and plain numbers for the analyzer's sums.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalQuantity, formatCpu, formatMemory, parseQuantity, quantityValue } from '../../src/k8s/quantity.js';

describe('parseQuantity', () => {
  it('parses like Kubernetes', () => {
    assert.deepEqual(parseQuantity('1.5Gi'), { ok: true, negative: false, mantissa: 15n, scale: -1, binaryExponent: 30, format: 'BinarySI' });
    assert.deepEqual(parseQuantity('4000m'), { ok: true, negative: false, mantissa: 4000n, scale: -3, binaryExponent: 0, format: 'DecimalSI' });
    assert.deepEqual(parseQuantity('2e3'), { ok: true, negative: false, mantissa: 2n, scale: 3, binaryExponent: 0, format: 'DecimalExponent' });
  });

  it('refuses what Kubernetes refuses: an unknown unit, an exponent with a unit, a second dot, nothing at all', () => {
    for (const value of ['1Qi', '1e3m', '1.1.1', '5i', '', '10 Mi', 'two']) assert.equal(parseQuantity(value).ok, false, value);
  });

  it('reads a quantity without digits as zero, as Kubernetes does ("m", ".", "Mi")', () => {
    for (const value of ['m', '.', 'Mi', '+']) {
      const parsed = parseQuantity(value);
      assert.ok(parsed.ok && parsed.mantissa === 0n, value);
    }
  });
});

describe('canonicalQuantity', () => {
  const cases: ReadonlyArray<readonly [string, string | undefined]> = [
    ['4000m', '4'],
    ['1000m', '1'],
    ['100m', '100m'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['.5', '500m'],
    ['1.', '1'],
    ['2', '2'],
    ['2000', '2k'],
    ['2048', '2048'],
    ['128Mi', '128Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    // 102.4 bytes is not whole bytes: the decimal form of the same value.
    ['0.1Ki', '102400m'],
    ['0', '0'],
    ['m', '0'],
    ['1e3', '1k'],
    ['-2000m', '-2'],
    ['two', undefined],
    ['10 Mi', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected ?? 'not a quantity'}`, () => assert.equal(canonicalQuantity(input), expected));
  }
});

describe('quantityValue and formatting', () => {
  it('gives cores and bytes', () => {
    assert.equal(quantityValue('100m'), 0.1);
    assert.equal(quantityValue('1Gi'), 1024 ** 3);
    assert.equal(quantityValue('2'), 2);
    assert.equal(quantityValue('1.5k'), 1500);
    assert.equal(quantityValue(3), 3);
    assert.equal(quantityValue('1e3m'), undefined);
    assert.equal(quantityValue(undefined), undefined);
  });

  it('prints cores and bytes back as quantities', () => {
    assert.equal(formatCpu(0.25), '250m');
    assert.equal(formatCpu(2), '2');
    assert.equal(formatMemory(1024 ** 3), '1Gi');
    assert.equal(formatMemory(128 * 1024 ** 2), '128Mi');
  });
});
