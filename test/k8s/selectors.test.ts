// Label selectors: Service map selectors, LabelSelectors and kubectl -l strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SelectorSyntaxError, isEmptyLabelSelector, labelSelectorMatches, mapSelectorMatches, parseSelectorString } from '../../src/k8s/selectors.js';

describe('selectors', () => {
  it('a Service selector must be non-empty and fully match', () => {
    assert.equal(mapSelectorMatches({ app: 'a' }, { app: 'a', tier: 'b' }), true);
    assert.equal(mapSelectorMatches({ app: 'a', tier: 'c' }, { app: 'a', tier: 'b' }), false);
    assert.equal(mapSelectorMatches({}, { app: 'a' }), false);
    assert.equal(mapSelectorMatches(undefined, { app: 'a' }), false);
  });

  it('matchLabels and every operator', () => {
    const labels = { app: 'web', tier: 'front' };
    assert.equal(labelSelectorMatches({ matchLabels: { app: 'web' } }, labels), true);
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels), true);
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels), false);
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels), true);
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels), true);
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels), false);
    assert.equal(isEmptyLabelSelector({}), true);
    assert.equal(labelSelectorMatches({}, labels), true, 'empty matches everything (Kubernetes)');
  });

  it('parses kubectl -l syntax', () => {
    assert.deepEqual(parseSelectorString('app=web,tier!=back,env in (prod, stage),!legacy,owner'), {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['back'] },
        { key: 'env', operator: 'In', values: ['prod', 'stage'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    assert.throws(() => parseSelectorString('app=web,,x'), SelectorSyntaxError);
    assert.throws(() => parseSelectorString('a b c'), /cannot parse "a b c"/);
  });
});
