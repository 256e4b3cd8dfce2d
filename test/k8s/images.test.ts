// Istio's image variants: one rule for the tag built from the configuration and for the annotated image.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageWithVariant, tagWithVariant } from '../../src/k8s/images.js';

describe('imageWithVariant', () => {
  it('adds, swaps and removes variants', () => {
    assert.equal(imageWithVariant('hub/proxyv2:1.28.1', 'debug'), 'hub/proxyv2:1.28.1-debug');
    assert.equal(imageWithVariant('hub/proxyv2:1.28.1-distroless', 'debug'), 'hub/proxyv2:1.28.1-debug');
    assert.equal(imageWithVariant('hub/proxyv2:1.28.1-distroless', 'default'), 'hub/proxyv2:1.28.1');
    assert.equal(imageWithVariant('localhost:5000/proxyv2', 'debug'), 'localhost:5000/proxyv2');
    assert.equal(imageWithVariant('hub/proxyv2@sha256:abc', 'debug'), 'hub/proxyv2@sha256:abc');
  });

  it('keeps the image as given for an empty variant', () => {
    assert.equal(imageWithVariant('hub/proxyv2:1.28.1-distroless', ''), 'hub/proxyv2:1.28.1-distroless');
    assert.equal(imageWithVariant('localhost:5000/proxyv2:1.28.1', ''), 'localhost:5000/proxyv2:1.28.1');
  });
});

describe('tagWithVariant', () => {
  it('leaves the tag unchanged for an empty variant, as Istio does (a variant on the tag stays)', () => {
    assert.equal(tagWithVariant('1.28.1', ''), '1.28.1');
    assert.equal(tagWithVariant('1.28.1-distroless', ''), '1.28.1-distroless');
  });

  it('replaces only a published variant and removes it for default', () => {
    assert.equal(tagWithVariant('1.28.1-debug', 'distroless'), '1.28.1-distroless');
    assert.equal(tagWithVariant('1.28.1-asm.17-distroless', 'default'), '1.28.1-asm.17');
    assert.equal(tagWithVariant('1.28.1-custom', 'debug'), '1.28.1-custom-debug');
  });
});
