// Canonical Kubernetes quantities, as the API server prints them (reference section 2: proxyCPU etc.).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalQuantity } from '../../src/inject/quantity.js';

describe('canonicalQuantity', () => {
  const cases: ReadonlyArray<readonly [string, string | undefined]> = [
    ['4000m', '4'],
    ['1000m', '1'],
    ['100m', '100m'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['2', '2'],
    ['2000', '2k'],
    ['2048', '2048'],
    ['128Mi', '128Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['0', '0'],
    ['1e3', '1k'],
    ['two', undefined],
    ['10 Mi', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected ?? 'not a quantity'}`, () => assert.equal(canonicalQuantity(input), expected));
  }
});
