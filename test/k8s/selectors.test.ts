// Label selectors: Service map selectors, LabelSelectors and kubectl -l strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from '../../src/k8s/objects.js';
import { SelectorSyntaxError, isEmptyLabelSelector, labelSelectorMatches, mapSelectorMatches, parseSelectorString, servicesSelecting } from '../../src/k8s/selectors.js';

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

  it('finds the Services selecting a pod in a long list the same way as in a short one', () => {
    const service = (name: string, namespace: string, selector: unknown, type?: string): Service =>
      ({ metadata: { name, namespace }, spec: { selector, ...(type ? { type } : {}) } }) as Service;
    // Longer than what is scanned whole: the list is indexed by each Service's first selector label.
    const services: Service[] = [
      service('web', 'shop', { app: 'web' }),
      service('db', 'shop', { app: 'db' }),
      service('other-namespace', 'bank', { app: 'web' }),
      service('external', 'shop', { app: 'web' }, 'ExternalName'),
      service('all-of-them', 'shop', {}),
      service('no-selector', 'shop', undefined),
      service('two-labels', 'shop', { tier: 'front', app: 'web' }),
      service('two-labels-other-tier', 'shop', { tier: 'back', app: 'web' }),
      service('web', 'shop', { app: 'web' }),
      service('aaa-web', 'shop', { app: 'web', version: 'v1' }),
      service('version-2', 'shop', { version: 'v2', app: 'web' }),
      ...Array.from({ length: 20 }, (_, i) => service(`filler-${i}`, 'shop', { app: `filler-${i}` })),
    ];
    const pod = { namespace: 'shop', labels: { app: 'web', tier: 'front', version: 'v1' } };
    assert.deepEqual(servicesSelecting(pod, services).map((s) => s.metadata?.name), ['aaa-web', 'two-labels', 'web']);
    assert.deepEqual(servicesSelecting({ namespace: 'bank', labels: { app: 'web' } }, services).map((s) => s.metadata?.name), ['other-namespace']);
    assert.deepEqual(servicesSelecting({ namespace: 'shop', labels: undefined }, services), []);
    // The same answers from a list short enough to be scanned.
    const short = services.slice(0, 11);
    assert.deepEqual(servicesSelecting(pod, short).map((s) => s.metadata?.name), ['aaa-web', 'two-labels', 'web']);
    // The first of two Services of the same name is the one kept, in either case.
    assert.equal(servicesSelecting(pod, services).find((s) => s.metadata?.name === 'web'), services[0]);
  });
});
