// Istio's configuration in Istio's own form (the injector's Helm values, the MeshConfig, the injector
// ConfigMap's `config`, istiod's environment) translated into meshgate's configuration. This is the one
// translation: `--istio-values`/`--mesh-config` of every command, `istio:` in the configuration file,
// `serve --istio-revision` (the ConfigMaps) and `meshgate config from-istio` all come through here.
// Every value meshgate cannot honour is reported by name: an error when it would change the pod, a
// warning when it cannot, an info note for istiod's own settings.
import { tagWithVariant } from '../../k8s/images.js';
import { isObject } from '../../k8s/objects.js';
import { ISTIO_ONLY_TEMPLATES, isBuiltinTemplate, templateNames } from '../templates.js';
import type { TemplateOverlay } from '../types.js';
import {
  applyMeshConfig,
  INJECTION_MESH_FIELDS,
  istioDefaultMesh,
  MESH_CONFIG_FIELDS,
  nonDefaultProxyConfig,
} from './mesh.js';
import { parseTemplateText } from './templates.js';
import { isValuesBranch, valueKey, type ValueType } from './values.js';

export interface IstioSource<T = unknown> {
  readonly value: T;
  /** Where it came from, for messages (`values.yaml`, `ConfigMap istio-system/istio-sidecar-injector`). */
  readonly source: string;
}

export interface IstioSettings {
  /** The injector's Helm values (global.*, sidecarInjectorWebhook.*, revision, pilot.cni, pilot.env, gateways). */
  readonly values?: IstioSource;
  /** MeshConfig (the `mesh` key of ConfigMap istio). */
  readonly meshConfig?: IstioSource;
  /** The injector ConfigMap's `config` key (policy, selectors, templates, aliases, defaultTemplates). */
  readonly injectorConfig?: IstioSource;
  /** istiod's environment, over the values' pilot.env (ENABLE_NATIVE_SIDECARS, PLATFORM, COMPLIANCE_POLICY). */
  readonly istiodEnv?: IstioSource<Readonly<Record<string, string>>>;
}

export interface ConfigFinding {
  /** error: would change the pod and cannot be honoured; warning: cannot change the pod; info: istiod's own. */
  readonly severity: 'error' | 'warning' | 'info';
  readonly source: string;
  /** The key in Istio's form, e.g. `global.proxy.tracer`, `defaultConfig.foo`, `ENABLE_NATIVE_SIDECARS`. */
  readonly key: string;
  readonly message: string;
}

export function formatFinding(finding: ConfigFinding): string {
  return `${finding.source}: ${finding.key}: ${finding.message}`;
}

export interface Translation {
  /** meshgate's configuration, in the configuration file's form (only the keys Istio's settings decide). */
  readonly config: Record<string, unknown>;
  readonly findings: readonly ConfigFinding[];
}

type Findings = ConfigFinding[];

/** Istio's injector config (`config` key) fields, in the order istiod documents them. */
const INJECTOR_CONFIG_FIELDS = ['policy', 'defaultTemplates', 'templates', 'aliases', 'neverInjectSelector', 'alwaysInjectSelector', 'injectedAnnotations', 'template'];

/** istiod environment variables that change what is injected, and what meshgate does with them. */
const ISTIOD_ENV = ['ENABLE_NATIVE_SIDECARS', 'PLATFORM', 'COMPLIANCE_POLICY', 'ENABLE_CLUSTER_TRUST_BUNDLE_API'];

// ---------------------------------------------------------------------------------------------------
// Reading the values tree.

function typeMatches(value: unknown, type: ValueType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'scalar':
      return typeof value === 'string' || typeof value === 'number';
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).filter((k) => value[k] !== null).sort().map((k) => [k, canonical(value[k])]));
}

class ValuesReader {
  private readonly leaves = new Map<string, unknown>();

  constructor(
    readonly source: string,
    value: unknown,
    private readonly findings: Findings,
  ) {
    if (value === undefined || value === null) return;
    if (!isObject(value)) {
      findings.push({ severity: 'error', source, key: '<root>', message: 'the values are not a mapping' });
      return;
    }
    this.walk('', value);
  }

  private walk(prefix: string, node: Record<string, unknown>): void {
    for (const [name, child] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${name}` : name;
      const known = valueKey(path);
      if (known && !isValuesBranch(path)) {
        if (child === null) continue; // Helm: null removes the default
        if (!typeMatches(child, known.type)) {
          this.findings.push({ severity: 'error', source: this.source, key: path, message: `must be ${describeType(known.type)}, got ${JSON.stringify(child)}` });
          continue;
        }
        this.leaves.set(path, child);
        this.classify(path, child);
      } else if (isValuesBranch(path)) {
        if (child === null) continue;
        if (!isObject(child)) {
          this.findings.push({ severity: 'error', source: this.source, key: path, message: `must be a mapping, got ${JSON.stringify(child)}` });
          continue;
        }
        this.walk(path, child);
      } else {
        this.findings.push({ severity: 'warning', source: this.source, key: path, message: 'not a value the sidecar injector reads (unknown to meshgate); ignored' });
      }
    }
  }

  private classify(path: string, value: unknown): void {
    const known = valueKey(path)!;
    if (known.handling === 'honoured' || sameValue(value, known.default)) return;
    const severity = known.handling === 'unsupported' ? 'error' : 'warning';
    const effect = known.handling === 'unsupported' ? 'not supported' : 'has no effect on injected pods';
    this.findings.push({ severity, source: this.source, key: path, message: `${JSON.stringify(value)} ${effect}: ${known.why ?? ''}`.trim() });
  }

  has(path: string): boolean {
    return this.leaves.has(path);
  }

  get(path: string): unknown {
    return this.leaves.has(path) ? this.leaves.get(path) : valueKey(path)?.default;
  }

  string(path: string): string {
    const value = this.get(path);
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  }

  number(path: string): number {
    const value = this.get(path);
    return typeof value === 'number' ? value : Number(valueKey(path)?.default ?? 0);
  }

  boolean(path: string): boolean {
    return this.get(path) === true;
  }

  object(path: string): Record<string, unknown> {
    const value = this.get(path);
    return isObject(value) ? value : {};
  }

  list(path: string): unknown[] {
    const value = this.get(path);
    return Array.isArray(value) ? value : [];
  }
}

function describeType(type: ValueType): string {
  return type === 'scalar' ? 'a string or a number' : type === 'integer' ? 'a whole number' : type === 'object' ? 'a mapping' : type === 'array' ? 'a list' : `a ${type}`;
}

// ---------------------------------------------------------------------------------------------------
// Images.

function imageOf(values: ValuesReader, namePath: string, variant: string, findings: Findings): string {
  const name = values.string(namePath) || 'proxyv2';
  if (name.includes('/')) return name;
  const hub = values.string('global.hub');
  const tag = values.string('global.tag');
  if (hub === '' || tag === '') {
    findings.push({ severity: 'error', source: values.source, key: hub === '' ? 'global.hub' : 'global.tag', message: `is empty, so the image of ${namePath} (${name}) has no ${hub === '' ? 'registry' : 'tag'}` });
  }
  return `${hub}/${name}:${tagWithVariant(tag, variant)}`;
}

// ---------------------------------------------------------------------------------------------------
// The translation.

export function translateIstio(settings: IstioSettings): Translation {
  const findings: Findings = [];
  const values = new ValuesReader(settings.values?.source ?? 'Istio values', settings.values?.value, findings);
  const mesh = readMesh(settings.meshConfig, findings);
  const injector = readInjectorConfig(settings.injectorConfig, findings);
  const env = readEnv(values, settings.istiodEnv, findings);

  const defaultConfig = isObject(mesh['defaultConfig']) ? mesh['defaultConfig'] : {};
  const proxyMetadata = isObject(defaultConfig['proxyMetadata']) ? defaultConfig['proxyMetadata'] : {};
  const image = isObject(defaultConfig['image']) ? defaultConfig['image'] : {};
  const imageType = typeof image['imageType'] === 'string' && image['imageType'] !== '' ? image['imageType'] : values.string('global.variant');
  const revision = values.string('revision');
  const trustDomain = (typeof mesh['trustDomain'] === 'string' && mesh['trustDomain'] !== '' ? mesh['trustDomain'] : values.string('global.trustDomain')) || 'cluster.local';

  const proxy: Record<string, unknown> = {
    image: imageOf(values, 'global.proxy.image', imageType, findings),
    initImage: imageOf(values, 'global.proxy_init.image', values.string('global.variant'), findings),
    imagePullSecrets: imagePullSecrets(values, findings),
    resources: resources(values, findings),
    statusPort: values.number('global.proxy.statusPort'),
    readiness: {
      initialDelaySeconds: values.number('global.proxy.readinessInitialDelaySeconds'),
      periodSeconds: values.number('global.proxy.readinessPeriodSeconds'),
      failureThreshold: values.number('global.proxy.readinessFailureThreshold'),
    },
    startupProbe: { enabled: values.boolean('global.proxy.startupProbe.enabled'), failureThreshold: values.number('global.proxy.startupProbe.failureThreshold') },
    discoveryAddress: values.string('global.caAddress') || `istiod${revision ? `-${revision}` : ''}.${values.string('global.istioNamespace') || 'istio-system'}.svc:15012`,
    clusterId: values.string('global.multiCluster.clusterName') || 'Kubernetes',
    meshId: values.string('global.meshID') || trustDomain,
    trustDomain,
    clusterDomain: values.string('global.proxy.clusterDomain') || 'cluster.local',
    network: values.string('global.network'),
    logLevel: values.string('global.proxy.logLevel'),
    componentLogLevel: values.string('global.proxy.componentLogLevel'),
    agentLogLevel: values.string('global.logging.level'),
    logAsJson: values.boolean('global.logAsJson'),
    holdApplicationUntilProxyStarts: values.boolean('global.proxy.holdApplicationUntilProxyStarts'),
    nativeSidecars: env.nativeSidecars,
    prometheusMerge: mesh['enablePrometheusMerge'] !== false,
    proxyConfig: nonDefaultProxyConfig(defaultConfig),
    privileged: values.boolean('global.proxy.privileged'),
    capNetBindService: values.boolean('global.proxy.capNetBindService'),
    seccompProfile: values.object('global.proxy.seccompProfile'),
    lifecycle: values.object('global.proxy.lifecycle'),
    outlierLogPath: values.string('global.proxy.outlierLogPath'),
    stsPort: values.number('global.sts.servicePort'),
    tokenAudience: values.string('global.sds.token.aud') || 'istio-ca',
    compliancePolicy: env.compliancePolicy,
    inboundTrafficPolicy: isObject(mesh['inboundTrafficPolicy']) && mesh['inboundTrafficPolicy']['mode'] === 'LOCALHOST' ? 'LOCALHOST' : 'PASSTHROUGH',
    otelResourceAttributes: otelSemanticConventions(mesh),
  };
  const pullPolicy = values.string('global.imagePullPolicy');
  if (pullPolicy !== '') {
    if (['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) proxy['imagePullPolicy'] = pullPolicy;
    else findings.push({ severity: 'error', source: values.source, key: 'global.imagePullPolicy', message: `"${pullPolicy}" is not Always, IfNotPresent or Never` });
  }
  checkTracer(values, findings);
  const caName = values.string('global.caName');
  if (caName === 'GkeWorkloadCertificate') {
    findings.push({ severity: 'error', source: values.source, key: 'global.caName', message: `"${caName}" not supported: GkeWorkloadCertificate (a CSI certificate volume) is not rendered` });
  } else if (caName !== '') {
    findings.push({ severity: 'warning', source: values.source, key: 'global.caName', message: `"${caName}" has no effect on injected pods: only GkeWorkloadCertificate changes what is injected` });
  }
  checkProxyMetadata(proxyMetadata, settings.meshConfig?.source ?? 'MeshConfig', findings);

  const statusPort = values.number('global.proxy.statusPort');
  const agentStatusPort = typeof defaultConfig['statusPort'] === 'number' ? defaultConfig['statusPort'] : 15020;
  // The template's status port (values) and pilot-agent's (mesh) differ: keep the agent's explicitly,
  // where meshgate otherwise takes proxy.statusPort for both.
  if (statusPort !== agentStatusPort) proxy['proxyConfig'] = { ...(proxy['proxyConfig'] as Record<string, unknown>), statusPort: agentStatusPort };
  if (values.has('global.proxy.statusPort') && statusPort !== 0 && statusPort !== agentStatusPort) {
    findings.push({
      severity: 'warning',
      source: values.source,
      key: 'global.proxy.statusPort',
      message: `${statusPort} differs from meshConfig.defaultConfig.statusPort ${agentStatusPort}, where pilot-agent listens: Istio excludes ${statusPort} from capture and sends drain requests there, but the agent serves probes and metrics on ${agentStatusPort}`,
    });
  }

  const interceptionMode = typeof defaultConfig['interceptionMode'] === 'string' ? defaultConfig['interceptionMode'] : 'REDIRECT';
  const cniProvider = values.string('pilot.cni.provider') || 'default';
  if (cniProvider !== 'default' && cniProvider !== 'multus') {
    findings.push({ severity: 'error', source: values.source, key: 'pilot.cni.provider', message: `"${cniProvider}" is not supported (default or multus)` });
  }
  const interception: Record<string, unknown> = {
    mode: interceptionMode,
    cni: values.boolean('pilot.cni.enabled'),
    cniProvider: cniProvider === 'multus' ? 'multus' : 'default',
    includeOutboundIPRanges: values.string('global.proxy.includeIPRanges'),
    excludeOutboundIPRanges: values.string('global.proxy.excludeIPRanges'),
    includeInboundPorts: values.string('global.proxy.includeInboundPorts'),
    excludeInboundPorts: values.string('global.proxy.excludeInboundPorts'),
    includeOutboundPorts: values.string('global.proxy.includeOutboundPorts'),
    excludeOutboundPorts: values.string('global.proxy.excludeOutboundPorts'),
    proxyListenPort: typeof mesh['proxyListenPort'] === 'number' && mesh['proxyListenPort'] !== 0 ? mesh['proxyListenPort'] : 15001,
    proxyInboundListenPort: typeof mesh['proxyInboundListenPort'] === 'number' && mesh['proxyInboundListenPort'] !== 0 ? mesh['proxyInboundListenPort'] : 15006,
    forceApplyIptables: values.boolean('global.proxy_init.forceApplyIptables'),
    nativeNftables: values.boolean('global.nativeNftables'),
  };

  // The injector's own settings: the `config` key where there is one (that is what istiod reads), else the values it is rendered from.
  const webhookValues = {
    policy: values.string('global.proxy.autoInject'),
    neverInjectSelector: values.list('sidecarInjectorWebhook.neverInjectSelector'),
    alwaysInjectSelector: values.list('sidecarInjectorWebhook.alwaysInjectSelector'),
    injectedAnnotations: values.object('sidecarInjectorWebhook.injectedAnnotations'),
    defaultTemplates: values.list('sidecarInjectorWebhook.defaultTemplates'),
  };
  const policy = injector.has('policy') ? injector.value['policy'] : webhookValues.policy;
  if (policy !== 'enabled' && policy !== 'disabled') {
    findings.push({ severity: 'error', source: injector.has('policy') ? injector.source : values.source, key: injector.has('policy') ? 'policy' : 'global.proxy.autoInject', message: `${JSON.stringify(policy)} is neither enabled nor disabled (istiod would inject nothing)` });
  }
  const injection: Record<string, unknown> = {
    policy: policy === 'disabled' ? 'disabled' : 'enabled',
    rewriteProbes: values.boolean('sidecarInjectorWebhook.rewriteAppHTTPProbe'),
    neverInjectSelector: injector.has('neverInjectSelector') ? injector.list('neverInjectSelector') : webhookValues.neverInjectSelector,
    alwaysInjectSelector: injector.has('alwaysInjectSelector') ? injector.list('alwaysInjectSelector') : webhookValues.alwaysInjectSelector,
    injectedAnnotations: injector.has('injectedAnnotations') ? injector.object('injectedAnnotations') : webhookValues.injectedAnnotations,
  };

  const templates = translateTemplates(values, injector, findings);

  const config: Record<string, unknown> = {
    revision: revision || 'default',
    platform: env.platform,
    istioNamespace: values.string('global.istioNamespace') || 'istio-system',
    proxy,
    interception,
    injection,
    templates,
  };
  return { config, findings: dedupe(findings) };
}

function dedupe(findings: Findings): ConfigFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const id = formatFinding(f) + f.severity;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function imagePullSecrets(values: ValuesReader, findings: Findings): string[] {
  const out: string[] = [];
  for (const item of values.list('global.imagePullSecrets')) {
    const name = typeof item === 'string' ? item : isObject(item) && typeof item['name'] === 'string' ? item['name'] : undefined;
    if (name) out.push(name);
    else findings.push({ severity: 'error', source: values.source, key: 'global.imagePullSecrets', message: `${JSON.stringify(item)} is not a Secret name` });
  }
  return out;
}

/** global.proxy.resources with nulls left out (the template's omitNil); only cpu and memory are rendered. */
function resources(values: ValuesReader, findings: Findings): Record<string, unknown> {
  const given = values.object('global.proxy.resources');
  const out: Record<string, Record<string, string>> = {};
  for (const [group, list] of Object.entries(given)) {
    if (list === null) continue;
    if ((group !== 'requests' && group !== 'limits') || !isObject(list)) {
      findings.push({ severity: 'error', source: values.source, key: `global.proxy.resources.${group}`, message: 'not supported: only requests and limits of cpu and memory are rendered' });
      continue;
    }
    const resolved: Record<string, string> = {};
    for (const [name, quantity] of Object.entries(list)) {
      if (quantity === null) continue;
      if (name !== 'cpu' && name !== 'memory') {
        findings.push({ severity: 'error', source: values.source, key: `global.proxy.resources.${group}.${name}`, message: 'not supported: only cpu and memory are rendered' });
        continue;
      }
      if (typeof quantity !== 'string' && typeof quantity !== 'number') {
        findings.push({ severity: 'error', source: values.source, key: `global.proxy.resources.${group}.${name}`, message: `must be a quantity, got ${JSON.stringify(quantity)}` });
        continue;
      }
      resolved[name] = String(quantity);
    }
    if (Object.keys(resolved).length > 0) out[group] = resolved;
  }
  return out;
}

function checkTracer(values: ValuesReader, findings: Findings): void {
  const tracer = values.string('global.proxy.tracer');
  if (tracer === 'datadog' || tracer === 'lightstep') {
    findings.push({
      severity: 'error',
      source: values.source,
      key: 'global.proxy.tracer',
      message: `"${tracer}" is not supported: Istio's template then adds ${tracer === 'datadog' ? 'the environment of annotation apm.datadoghq.com/env' : 'the lightstep-certs volume'} to the proxy, which meshgate does not render`,
    });
  }
}

function checkProxyMetadata(metadata: Readonly<Record<string, unknown>>, source: string, findings: Findings): void {
  for (const [name, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') findings.push({ severity: 'error', source, key: `defaultConfig.proxyMetadata.${name}`, message: `must be a string (quote it), got ${JSON.stringify(value)}` });
  }
}

function otelSemanticConventions(mesh: Readonly<Record<string, unknown>>): boolean {
  const providers = Array.isArray(mesh['extensionProviders']) ? mesh['extensionProviders'] : [];
  return providers.some((p) => isObject(p) && isObject(p['opentelemetry']) && p['opentelemetry']['serviceAttributeEnrichment'] === 'OTEL_SEMANTIC_CONVENTIONS');
}

// ---------------------------------------------------------------------------------------------------
// MeshConfig.

function readMesh(input: IstioSource | undefined, findings: Findings): Record<string, unknown> {
  const defaults = istioDefaultMesh();
  if (!input || input.value === undefined || input.value === null) return defaults;
  const { value, source } = input;
  if (!isObject(value)) {
    findings.push({ severity: 'error', source, key: '<root>', message: 'the mesh config is not a mapping' });
    return defaults;
  }
  for (const [field, fieldValue] of Object.entries(value)) {
    if (!MESH_CONFIG_FIELDS.includes(field)) {
      findings.push({ severity: 'warning', source, key: field, message: 'not a MeshConfig field meshgate knows; ignored' });
    } else if (!INJECTION_MESH_FIELDS.includes(field)) {
      findings.push({ severity: 'info', source, key: field, message: 'istiod\'s own setting; it does not change injected pods' });
    } else if (field === 'defaultConfig' && fieldValue !== null && !isObject(fieldValue)) {
      findings.push({ severity: 'error', source, key: field, message: 'must be a ProxyConfig mapping' });
    }
  }
  for (const field of ['proxyListenPort', 'proxyInboundListenPort'] as const) {
    const port = value[field];
    if (port !== undefined && port !== null && !(typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535)) {
      findings.push({ severity: 'error', source, key: field, message: `must be a port number, got ${JSON.stringify(port)}` });
    }
  }
  const policy = value['inboundTrafficPolicy'];
  if (isObject(policy) && policy['mode'] !== undefined && policy['mode'] !== 'PASSTHROUGH' && policy['mode'] !== 'LOCALHOST') {
    findings.push({ severity: 'error', source, key: 'inboundTrafficPolicy.mode', message: `${JSON.stringify(policy['mode'])} is neither PASSTHROUGH nor LOCALHOST` });
  }
  return applyMeshConfig(defaults, value);
}

// ---------------------------------------------------------------------------------------------------
// The injector ConfigMap's `config`.

class InjectorConfig {
  constructor(
    readonly source: string,
    readonly value: Record<string, unknown>,
  ) {}

  has(field: string): boolean {
    return this.value[field] !== undefined && this.value[field] !== null;
  }

  list(field: string): unknown[] {
    const v = this.value[field];
    return Array.isArray(v) ? v : [];
  }

  object(field: string): Record<string, unknown> {
    const v = this.value[field];
    return isObject(v) ? v : {};
  }
}

function readInjectorConfig(input: IstioSource | undefined, findings: Findings): InjectorConfig {
  const source = input?.source ?? 'injector config';
  if (!input || input.value === undefined || input.value === null) return new InjectorConfig(source, {});
  if (!isObject(input.value)) {
    findings.push({ severity: 'error', source, key: '<root>', message: 'the injector config is not a mapping' });
    return new InjectorConfig(source, {});
  }
  for (const field of Object.keys(input.value)) {
    if (!INJECTOR_CONFIG_FIELDS.includes(field)) findings.push({ severity: 'warning', source, key: field, message: 'not an injector config field meshgate knows; ignored' });
  }
  for (const field of ['neverInjectSelector', 'alwaysInjectSelector', 'defaultTemplates']) {
    const v = input.value[field];
    if (v !== undefined && v !== null && !Array.isArray(v)) findings.push({ severity: 'error', source, key: field, message: 'must be a list' });
  }
  for (const field of ['templates', 'aliases', 'injectedAnnotations']) {
    const v = input.value[field];
    if (v !== undefined && v !== null && !isObject(v)) findings.push({ severity: 'error', source, key: field, message: 'must be a mapping' });
  }
  return new InjectorConfig(source, input.value);
}

// ---------------------------------------------------------------------------------------------------
// Templates.

/**
 * Custom templates come from the values (sidecarInjectorWebhook.templates) and from the injector config
 * (`templates`, which also carries Istio's built-ins as Go templates: meshgate renders its own for
 * those, unless the values replace one by name).
 */
function translateTemplates(values: ValuesReader, injector: InjectorConfig, findings: Findings): Record<string, unknown> {
  const custom: Record<string, TemplateOverlay> = {};
  const fromValues = values.object('sidecarInjectorWebhook.templates');
  const fromConfig = injector.object('templates');
  const add = (name: string, text: unknown, source: string, key: string): void => {
    if (typeof text !== 'string') {
      findings.push({ severity: 'error', source, key, message: 'must be the template\'s text (a string)' });
      return;
    }
    const parsed = parseTemplateText(text);
    if (parsed.ok) custom[name] = parsed.overlay;
    else findings.push({ severity: 'error', source, key, message: `custom template "${name}" ${parsed.message}` });
  };
  for (const [name, text] of Object.entries(fromConfig)) {
    if (name in fromValues) continue; // the chart rendered the values' one into the config: read it once, from the values
    if (isBuiltinTemplate(name) || ISTIO_ONLY_TEMPLATES.includes(name)) continue; // Istio's own: meshgate renders (or refuses) its own
    add(name, text, injector.source, `templates.${name}`);
  }
  for (const [name, text] of Object.entries(fromValues)) add(name, text, values.source, `sidecarInjectorWebhook.templates.${name}`);

  const aliases: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(injector.object('aliases'))) {
    if (Array.isArray(list) && list.every((t) => typeof t === 'string')) aliases[name] = list as string[];
    else findings.push({ severity: 'error', source: injector.source, key: `aliases.${name}`, message: 'must be a list of template names' });
  }

  const givenDefaults = injector.has('defaultTemplates') ? injector.list('defaultTemplates') : values.list('sidecarInjectorWebhook.defaultTemplates');
  const defaults = givenDefaults.length > 0 ? givenDefaults.filter((t): t is string => typeof t === 'string') : ['sidecar'];
  const known = templateNames({ custom, aliases });
  for (const name of defaults) {
    if (!known.includes(name)) {
      findings.push({
        severity: 'error',
        source: injector.has('defaultTemplates') ? injector.source : values.source,
        key: injector.has('defaultTemplates') ? 'defaultTemplates' : 'sidecarInjectorWebhook.defaultTemplates',
        message: `default template "${name}" does not exist; templates: ${known.join(', ')}`,
      });
    }
  }
  return { default: defaults, custom, aliases, gatewaySecurityContext: values.object('gateways.securityContext') };
}

// ---------------------------------------------------------------------------------------------------
// istiod's environment.

interface EnvSettings {
  readonly nativeSidecars: 'auto' | 'true' | 'false';
  readonly platform: 'kubernetes' | 'openshift';
  readonly compliancePolicy: string;
}

function readEnv(values: ValuesReader, given: IstioSource<Readonly<Record<string, string>>> | undefined, findings: Findings): EnvSettings {
  const env = new Map<string, { value: string; source: string; key: string }>();
  for (const [name, value] of Object.entries(values.object('pilot.env'))) {
    env.set(name, { value: typeof value === 'string' ? value : JSON.stringify(value), source: values.source, key: `pilot.env.${name}` });
  }
  const globalPlatform = values.string('global.platform');
  if (globalPlatform !== '' && !env.has('PLATFORM')) env.set('PLATFORM', { value: globalPlatform, source: values.source, key: 'global.platform' });
  for (const [name, value] of Object.entries(given?.value ?? {})) env.set(name, { value, source: given!.source, key: name });

  for (const [name, entry] of env) {
    if (!ISTIOD_ENV.includes(name)) {
      findings.push({ severity: 'warning', source: entry.source, key: entry.key, message: 'an istiod setting meshgate does not know to change injection; ignored' });
    }
  }
  const read = (name: string): { value: string; source: string; key: string } | undefined => env.get(name);

  let nativeSidecars: EnvSettings['nativeSidecars'] = 'auto';
  const native = read('ENABLE_NATIVE_SIDECARS');
  if (native) {
    if (native.value === 'true' || native.value === 'false' || native.value === 'auto') nativeSidecars = native.value;
    else findings.push({ severity: 'error', source: native.source, key: native.key, message: `"${native.value}" is not true, false or auto` });
  }

  let platform: EnvSettings['platform'] = 'kubernetes';
  const platformEntry = read('PLATFORM');
  if (platformEntry) {
    if (platformEntry.value === 'openshift') platform = 'openshift';
    else if (platformEntry.value === 'gcp') findings.push({ severity: 'info', source: platformEntry.source, key: platformEntry.key, message: '"gcp" does not change injected pods' });
    else if (platformEntry.value !== '') findings.push({ severity: 'error', source: platformEntry.source, key: platformEntry.key, message: `"${platformEntry.value}" is not a platform Istio knows (openshift, gcp)` });
  }

  let compliancePolicy = '';
  const compliance = read('COMPLIANCE_POLICY');
  if (compliance) {
    if (['', 'fips-140-2', 'fips-140-3', 'pqc'].includes(compliance.value)) compliancePolicy = compliance.value;
    else findings.push({ severity: 'error', source: compliance.source, key: compliance.key, message: `"${compliance.value}" is not a compliance policy Istio knows (fips-140-2, fips-140-3, pqc)` });
  }

  const trustBundle = read('ENABLE_CLUSTER_TRUST_BUNDLE_API');
  if (trustBundle && trustBundle.value === 'true') {
    findings.push({ severity: 'error', source: trustBundle.source, key: trustBundle.key, message: 'not supported: the istiod-ca-cert volume would be a ClusterTrustBundle projection, which meshgate does not render' });
  }
  return { nativeSidecars, platform, compliancePolicy };
}
