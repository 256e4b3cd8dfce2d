// The injection decision as a table, row by row from reference section 1 (1A webhook selectors,
// 1B istiod's injectRequired, and istioctl kube-inject).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import { decideInjection } from '../../src/inject/decide.js';

interface Row {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly hostNetwork?: boolean;
  readonly namespace?: string;
  readonly namespaceLabels?: Record<string, string> | undefined;
  readonly mode?: 'webhook' | 'kube-inject';
  readonly config?: (c: MeshgateConfig) => void;
  readonly inject: boolean;
  readonly reason: RegExp;
}

const injectionEnabled = { 'istio-injection': 'enabled' };

const ROWS: readonly Row[] = [
  // 1B, in order
  { name: 'hostNetwork is skipped first', hostNetwork: true, labels: { 'sidecar.istio.io/inject': 'true' }, namespaceLabels: injectionEnabled, inject: false, reason: /hostNetwork/ },
  { name: 'kube-system is never injected', namespace: 'kube-system', namespaceLabels: injectionEnabled, labels: { 'sidecar.istio.io/inject': 'true' }, inject: false, reason: /system namespace/ },
  { name: 'local-path-storage is never injected', namespace: 'local-path-storage', mode: 'kube-inject', inject: false, reason: /system namespace/ },
  { name: 'label inject=true', namespaceLabels: injectionEnabled, labels: { 'sidecar.istio.io/inject': 'true' }, inject: true, reason: /label sidecar\.istio\.io\/inject=true/ },
  { name: 'label inject=false', mode: 'kube-inject', labels: { 'sidecar.istio.io/inject': 'false' }, inject: false, reason: /opts out/ },
  { name: 'annotation inject=false (kube-inject reads annotations)', mode: 'kube-inject', annotations: { 'sidecar.istio.io/inject': 'false' }, inject: false, reason: /annotation sidecar\.istio\.io\/inject=false/ },
  { name: 'label wins over annotation', mode: 'kube-inject', labels: { 'sidecar.istio.io/inject': 'true' }, annotations: { 'sidecar.istio.io/inject': 'false' }, inject: true, reason: /label/ },
  { name: 'empty value uses the default', mode: 'kube-inject', labels: { 'sidecar.istio.io/inject': '' }, inject: true, reason: /enabled by default/ },
  { name: '"yes" is ignored with a note and the default applies', mode: 'kube-inject', labels: { 'sidecar.istio.io/inject': 'yes' }, inject: true, reason: /"yes" is neither/ },
  {
    name: 'neverInjectSelector applies without an explicit opt',
    namespaceLabels: injectionEnabled,
    labels: { app: 'batch' },
    config: (c) => (c.injection.neverInjectSelector = [{ matchLabels: { app: 'batch' } }]),
    inject: false,
    reason: /neverInjectSelector\[0\]/,
  },
  {
    name: 'never wins over always',
    namespaceLabels: injectionEnabled,
    labels: { app: 'batch' },
    config: (c) => {
      c.injection.neverInjectSelector = [{ matchLabels: { app: 'batch' } }];
      c.injection.alwaysInjectSelector = [{ matchLabels: { app: 'batch' } }];
    },
    inject: false,
    reason: /neverInjectSelector/,
  },
  {
    name: 'explicit label wins over neverInjectSelector',
    namespaceLabels: injectionEnabled,
    labels: { app: 'batch', 'sidecar.istio.io/inject': 'true' },
    config: (c) => (c.injection.neverInjectSelector = [{ matchLabels: { app: 'batch' } }]),
    inject: true,
    reason: /opts in/,
  },
  {
    name: 'alwaysInjectSelector with policy disabled',
    namespaceLabels: injectionEnabled,
    labels: { tier: 'web' },
    config: (c) => {
      c.injection.policy = 'disabled';
      c.injection.alwaysInjectSelector = [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }];
    },
    inject: true,
    reason: /alwaysInjectSelector\[0\]/,
  },
  {
    name: 'an empty selector never matches',
    namespaceLabels: injectionEnabled,
    config: (c) => (c.injection.neverInjectSelector = [{}]),
    inject: true,
    reason: /policy is enabled/,
  },
  { name: 'policy disabled skips pods without opt-in', namespaceLabels: injectionEnabled, config: (c) => (c.injection.policy = 'disabled'), inject: false, reason: /policy is disabled/ },
  { name: 'kube-inject ignores policy disabled (istioctl uses enabled)', mode: 'kube-inject', config: (c) => (c.injection.policy = 'disabled'), inject: true, reason: /enabled by default/ },
  {
    name: 'kube-inject ignores selectors',
    mode: 'kube-inject',
    labels: { app: 'batch' },
    config: (c) => (c.injection.neverInjectSelector = [{ matchLabels: { app: 'batch' } }]),
    inject: true,
    reason: /enabled by default/,
  },
  // 1A matrix (webhook mode)
  { name: 'ns istio-injection=enabled', namespaceLabels: injectionEnabled, inject: true, reason: /policy is enabled/ },
  { name: 'ns istio-injection=enabled, pod label inject=false: not called', namespaceLabels: injectionEnabled, labels: { 'sidecar.istio.io/inject': 'false' }, inject: false, reason: /opts out/ },
  { name: 'ns istio-injection=enabled beats pod istio.io/rev=canary (default revision injects)', namespaceLabels: injectionEnabled, labels: { 'istio.io/rev': 'canary' }, inject: true, reason: /policy/ },
  { name: 'ns istio-injection=disabled: never injected', namespaceLabels: { 'istio-injection': 'disabled' }, labels: { 'sidecar.istio.io/inject': 'true' }, inject: false, reason: /istio-injection=disabled/ },
  { name: 'ns istio.io/rev=canary, this injector is canary', namespaceLabels: { 'istio.io/rev': 'canary' }, config: (c) => (c.revision = 'canary'), inject: true, reason: /policy/ },
  { name: 'ns istio.io/rev=canary, this injector is default', namespaceLabels: { 'istio.io/rev': 'canary' }, inject: false, reason: /selects revision canary/ },
  { name: 'ns istio.io/rev=default selects the default revision', namespaceLabels: { 'istio.io/rev': 'default' }, inject: true, reason: /policy/ },
  { name: 'both namespace labels: istio-injection wins', namespaceLabels: { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }, config: (c) => (c.revision = 'canary'), inject: false, reason: /selects the default revision/ },
  { name: 'no ns labels, pod label inject=true', namespaceLabels: {}, labels: { 'sidecar.istio.io/inject': 'true' }, inject: true, reason: /opts in/ },
  { name: 'no ns labels, pod istio.io/rev=canary for the canary injector', namespaceLabels: {}, labels: { 'istio.io/rev': 'canary' }, config: (c) => (c.revision = 'canary'), inject: true, reason: /policy/ },
  { name: 'no ns labels, pod istio.io/rev=canary for the default injector', namespaceLabels: {}, labels: { 'istio.io/rev': 'canary' }, inject: false, reason: /pod selects revision canary/ },
  { name: 'no ns labels, annotation-only opt-in is not seen by the webhook', namespaceLabels: {}, annotations: { 'sidecar.istio.io/inject': 'true' }, inject: false, reason: /objectSelector sees labels only/ },
  { name: 'no ns labels, nothing: not injected', namespaceLabels: {}, inject: false, reason: /neither namespace shop/ },
  { name: 'namespace labels unknown: only the pod side is decided', namespaceLabels: undefined, inject: true, reason: /policy is enabled/ },
];

describe('decideInjection', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const config = defaultConfig();
      row.config?.(config);
      const decision = decideInjection({
        metadata: { name: 'p', labels: row.labels ?? {}, annotations: row.annotations ?? {} },
        spec: { containers: [{ name: 'app' }], ...(row.hostNetwork ? { hostNetwork: true } : {}) },
        namespace: row.namespace ?? 'shop',
        namespaceLabels: row.namespaceLabels,
        config,
        mode: row.mode ?? 'webhook',
      });
      assert.equal(decision.inject, row.inject, decision.reason);
      assert.match(decision.reason, row.reason);
    });
  }
});
