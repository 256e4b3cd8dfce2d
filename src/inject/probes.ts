// Probe rewrite: kubelet's plaintext probes and lifecycle hooks cannot pass STRICT mTLS, so they are
// pointed at pilot-agent's status port and the original actions travel in ISTIO_KUBE_APP_PROBERS
// (reference section 4). meshgate fixes the Istio bugs listed there and says so in a note each time.
import type { Container, LifecycleHandler, PodSpec, Probe } from '../k8s/objects.js';
import { isObject, setOwn } from '../k8s/objects.js';
import { resolveContainerPort } from '../k8s/ports.js';
import { note } from './types.js';
import type { AppProber, AppProbers, Note, ProbeRewrite } from './types.js';

/** The keys pilot-agent accepts in ISTIO_KUBE_APP_PROBERS; any other key stops the agent (reference section 4). */
export const PROBER_PATH_PATTERN = /^\/(app-health|app-lifecycle)\/[^/]+\/(livez|readyz|startupz|prestopz|poststartz)$/;

const PROXY_CONTAINER = 'istio-proxy';

type ProbeField = 'readinessProbe' | 'livenessProbe' | 'startupProbe';
type HookField = 'postStart' | 'preStop';

const PROBE_ENDPOINTS: ReadonlyArray<readonly [ProbeField, string]> = [
  ['readinessProbe', 'readyz'],
  ['livenessProbe', 'livez'],
  ['startupProbe', 'startupz'],
];
const HOOK_ENDPOINTS: ReadonlyArray<readonly [HookField, string]> = [
  ['preStop', 'prestopz'],
  ['postStart', 'poststartz'],
];

export interface RewriteProbesInput {
  readonly spec: Readonly<PodSpec>;
  /** pilot-agent's status port (effective value). */
  readonly statusPort: number;
  /** false when the pod or the configuration opts out, or the status port is 0. */
  readonly enabled: boolean;
  /** Whether inbound traffic to this container port goes through the sidecar. */
  readonly capturedInboundPort: (port: number) => boolean;
}

export interface ProbeRewritePlan {
  readonly rewrites: ProbeRewrite[];
  readonly probers: AppProbers;
  readonly notes: Note[];
}

export interface RewriteProbesResult {
  readonly spec: PodSpec;
  readonly probers: AppProbers;
  readonly notes: Note[];
}

type Group = ProbeRewrite['group'];

/** What one probe or hook does, narrowed from the pod: the handler kind and its target. */
type Action =
  | { readonly kind: 'httpGet'; readonly port: number | string | undefined; readonly handler: Readonly<Record<string, unknown>> }
  | { readonly kind: 'tcpSocket'; readonly port: number | string | undefined; readonly handler: Readonly<Record<string, unknown>> }
  | { readonly kind: 'grpc'; readonly port: number | string | undefined; readonly handler: Readonly<Record<string, unknown>> };

/** Which probe or hook of which container, for notes. */
interface Site {
  readonly container: string;
  /** `readinessProbe`, `preStop hook`, ... */
  readonly label: string;
  readonly kind: 'probe' | 'hook';
  /** The agent path it is rewritten to. */
  readonly path: string;
}

/** Which probes and hooks of the pod go to the agent, with the originals it runs and a note each. Reads the spec, never changes it. */
export function planProbeRewrites(input: RewriteProbesInput): ProbeRewritePlan {
  const notes: Note[] = [];
  const rewrites: ProbeRewrite[] = [];
  const probers: Record<string, AppProber> = {};
  // Unnamed containers cannot be addressed by an agent path (and the API server refuses them anyway).
  const containers: Array<readonly [Group, Container]> = [];
  for (const [group, list] of [['containers', input.spec.containers], ['initContainers', input.spec.initContainers]] as const) {
    for (const container of listOf(list)) {
      if (isObject(container) && typeof container['name'] === 'string' && container['name'] !== '' && container['name'] !== PROXY_CONTAINER) {
        containers.push([group, container as unknown as Container]);
      }
    }
  }

  if (!input.enabled) {
    const disabledNote = describeDisabled(containers.map(([, c]) => c), input.capturedInboundPort);
    return { rewrites, probers, notes: disabledNote ? [disabledNote] : [] };
  }

  for (const [group, container] of containers) {
    for (const [field, endpoint] of PROBE_ENDPOINTS) {
      const probe = container[field];
      if (!isObject(probe)) continue;
      const site: Site = { container: container.name, label: field, kind: 'probe', path: `/app-health/${container.name}/${endpoint}` };
      const outcome = rewriteOne(probe, site, container, input, notes);
      if (!outcome) continue;
      rewrites.push({ group, container: container.name, field, rewritten: outcome.rewritten as Probe });
      if (outcome.prober) probers[site.path] = outcome.prober;
    }
    for (const [field, endpoint] of HOOK_ENDPOINTS) {
      if (!isObject(container.lifecycle)) continue;
      const hook = container.lifecycle[field];
      if (!isObject(hook)) continue;
      const site: Site = { container: container.name, label: `${field} hook`, kind: 'hook', path: `/app-lifecycle/${container.name}/${endpoint}` };
      const outcome = rewriteOne(hook, site, container, input, notes);
      if (!outcome) continue;
      rewrites.push({ group, container: container.name, field, rewritten: outcome.rewritten as LifecycleHandler });
      if (outcome.prober) probers[site.path] = outcome.prober;
    }
  }
  return { rewrites, probers, notes };
}

/** The spec with the planned rewrites in place: changed containers are copied, the rest shared. */
export function applyProbeRewrites(spec: PodSpec, rewrites: readonly ProbeRewrite[]): PodSpec {
  if (rewrites.length === 0) return spec;
  const apply = (list: readonly Container[], group: Group): Container[] =>
    list.map((container) => {
      const mine = rewrites.filter((r) => r.group === group && r.container === container.name);
      if (mine.length === 0) return container;
      const copy: Container = { ...container };
      for (const rewrite of mine) {
        if (rewrite.field === 'postStart' || rewrite.field === 'preStop') copy.lifecycle = { ...copy.lifecycle, [rewrite.field]: rewrite.rewritten as LifecycleHandler };
        else copy[rewrite.field] = rewrite.rewritten as Probe;
      }
      return copy;
    });
  return {
    ...spec,
    containers: Array.isArray(spec.containers) ? apply(spec.containers, 'containers') : spec.containers,
    ...(Array.isArray(spec.initContainers) ? { initContainers: apply(spec.initContainers, 'initContainers') } : {}),
  };
}

/** Plans and applies in one go (the engine keeps the two apart: the plan is data, rendering applies it). */
export function rewriteProbes(input: RewriteProbesInput): RewriteProbesResult {
  const plan = planProbeRewrites(input);
  return { spec: applyProbeRewrites(input.spec as PodSpec, plan.rewrites), probers: plan.probers, notes: plan.notes };
}

/**
 * Rewrites one probe or hook, or returns undefined (with a note where the reason deserves one) when
 * it stays as it is.
 */
function rewriteOne(
  probe: Readonly<Probe> | Readonly<LifecycleHandler>,
  site: Site,
  container: Readonly<Container>,
  input: RewriteProbesInput,
  notes: Note[],
): { rewritten: Record<string, unknown>; prober?: AppProber } | undefined {
  const action = actionOf(probe);
  if (!action) return undefined; // exec, sleep: nothing on the network to rewrite
  const where = `${site.label} of container "${site.container}"`;

  const port = portNumber(action, container);
  if (port === undefined) {
    notes.push(
      note(
        `left ${where} unchanged`,
        `its port ${JSON.stringify(action.port)} is not a port number or a port name declared by container "${site.container}", ` +
          'so pilot-agent could not run it (Istio rewrites it anyway and the agent then answers 400 on every probe)',
        'warning',
      ),
    );
    return undefined;
  }

  const path = action.kind === 'httpGet' && typeof action.handler['path'] === 'string' ? action.handler['path'] : '';
  if (port === input.statusPort) {
    // Already rewritten (re-injection) or aimed at the agent on purpose: leave it alone.
    if (!PROBER_PATH_PATTERN.test(path)) {
      notes.push(note(`left ${where} unchanged`, `it already targets the status port ${input.statusPort}, which kubelet reaches without mTLS`));
    }
    return undefined;
  }
  if (PROBER_PATH_PATTERN.test(path)) {
    // Rewritten by an earlier injection with another status port: its original is already in the
    // pod's ISTIO_KUBE_APP_PROBERS, so only the port moves.
    const moved = { ...probe, httpGet: { ...action.handler, port: input.statusPort } };
    notes.push(note(`moved ${where} to GET :${input.statusPort}${path}`, `it was rewritten by an earlier injection for status port ${port}`));
    return { rewritten: moved };
  }

  if (!input.capturedInboundPort(port)) {
    notes.push(
      note(
        `left ${where} on port ${port}`,
        `port ${port} is not captured by the sidecar (inbound port annotations), so kubelet reaches it directly; ` +
          'Istio would rewrite it anyway (istio/istio#53759)',
      ),
    );
    return undefined;
  }

  // Hooks have no timeout of their own (Istio writes none for them).
  const prober = proberOf(action, port, 'timeoutSeconds' in probe ? probe.timeoutSeconds : undefined);
  const rewritten = rewrittenHandler(probe, action, site.path, input.statusPort);
  const hookOrProbe = site.kind === 'hook' ? 'hooks' : 'probes';
  notes.push(
    note(
      `rewrote ${where} to GET :${input.statusPort}${site.path}`,
      `kubelet ${hookOrProbe} carry no mTLS certificate; pilot-agent runs the original ${describeProber(prober)}` +
        (typeof action.port === 'string' && !/^[0-9]+$/.test(action.port) ? ` (port "${action.port}")` : ''),
    ),
  );
  const host = action.kind === 'httpGet' ? action.handler['host'] : undefined;
  if (typeof host === 'string' && host !== '') {
    notes.push(
      note(
        `dropped httpGet.host "${host}" from the rewritten ${where}`,
        `kubelet would otherwise call ${host}:${input.statusPort} instead of the pod's agent; the host stays in the ` +
          'original action pilot-agent runs (Istio keeps it and the probe breaks, istio/istio#31087)',
      ),
    );
  }
  return { rewritten, prober };
}

function actionOf(probe: Readonly<Probe> | Readonly<LifecycleHandler>): Action | undefined {
  if (isObject(probe.httpGet)) return { kind: 'httpGet', port: portRef(probe.httpGet['port']), handler: probe.httpGet };
  if (isObject(probe.tcpSocket)) return { kind: 'tcpSocket', port: portRef(probe.tcpSocket['port']), handler: probe.tcpSocket };
  if ('grpc' in probe && isObject(probe.grpc)) return { kind: 'grpc', port: portRef(probe.grpc['port']), handler: probe.grpc };
  return undefined;
}

/** Pods come from outside: a field that should be a list may be anything. */
function listOf<T>(value: readonly T[] | undefined): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The probe's port as a number: gRPC ports are integers only (Kubernetes API); http/tcp may name a container port. */
function portNumber(action: Action, container: Readonly<Container>): number | undefined {
  if (action.kind === 'grpc') return integerPort(action.port);
  const ports = listOf(container.ports).filter(isObject) as unknown as Container['ports'];
  return resolveContainerPort({ ports }, action.port);
}

function portRef(value: unknown): number | string | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

function integerPort(value: number | string | undefined): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** The probe as kubelet will run it: GET on the status port, other handlers removed, other fields kept. */
function rewrittenHandler(
  probe: Readonly<Probe> | Readonly<LifecycleHandler>,
  action: Action,
  path: string,
  statusPort: number,
): Record<string, unknown> {
  let httpGet: Record<string, unknown>;
  if (action.kind === 'httpGet') {
    // Keep headers (the agent forwards them); HTTPS becomes HTTP because kubelet talks to the agent,
    // which talks HTTPS to the app (reference section 4). The host would send kubelet elsewhere.
    const { host: _host, ...rest } = action.handler;
    httpGet = { ...rest, path, port: statusPort };
    if (httpGet['scheme'] === 'HTTPS') httpGet['scheme'] = 'HTTP';
  } else {
    httpGet = { path, port: statusPort };
  }
  // kubelet allows one handler per probe; only the agent's httpGet remains, where the probe had its
  // handler. Copied key by key (not deleted: deleting makes a slow object every later step reads).
  const rewritten: Record<string, unknown> = {};
  for (const key of Object.keys(probe)) {
    if (key === 'httpGet') rewritten['httpGet'] = httpGet;
    else if (!OTHER_HANDLERS.has(key)) setOwn(rewritten, key, (probe as Record<string, unknown>)[key]);
  }
  if (!('httpGet' in rewritten)) rewritten['httpGet'] = httpGet;
  return rewritten;
}

const OTHER_HANDLERS = new Set(['exec', 'tcpSocket', 'grpc', 'sleep']);

/** The original action for pilot-agent, with a named port resolved to its number. */
function proberOf(action: Action, port: number, timeoutSeconds: number | undefined): AppProber {
  const timeout = typeof timeoutSeconds === 'number' && timeoutSeconds !== 0 ? { timeoutSeconds } : {};
  const handler = action.handler;
  switch (action.kind) {
    case 'httpGet':
      return { httpGet: { ...handler, port }, ...timeout };
    case 'tcpSocket':
      return { tcpSocket: { ...handler, port }, ...timeout };
    case 'grpc':
      return { grpc: { ...handler, port }, ...timeout };
  }
}

/** `httpGet HTTPS :8443/healthz`, `tcpSocket :3306`, `grpc :9000 service "health"`. */
function describeProber(prober: AppProber): string {
  if (prober.httpGet) {
    const scheme = prober.httpGet['scheme'] === 'HTTPS' ? 'HTTPS ' : '';
    const path = typeof prober.httpGet['path'] === 'string' ? prober.httpGet['path'] : '';
    return `httpGet ${scheme}:${String(prober.httpGet['port'])}${path}`;
  }
  if (prober.tcpSocket) return `tcpSocket :${String(prober.tcpSocket['port'])}`;
  const grpc = prober.grpc ?? {};
  const service = typeof grpc['service'] === 'string' && grpc['service'] !== '' ? ` service "${grpc['service']}"` : '';
  return `grpc :${String(grpc['port'])}${service}`;
}

/** One note for a pod whose probes stay as written because the rewrite is off. */
function describeDisabled(containers: readonly Container[], captured: (port: number) => boolean): Note | undefined {
  const kept: string[] = [];
  const atRisk: string[] = [];
  for (const container of containers) {
    const lifecycle = isObject(container.lifecycle) ? container.lifecycle : {};
    const sites: Array<readonly [string, unknown]> = [
      ...PROBE_ENDPOINTS.map(([field]) => [field, container[field]] as const),
      ...HOOK_ENDPOINTS.map(([field]) => [`${field} hook`, lifecycle[field]] as const),
    ];
    for (const [label, probe] of sites) {
      const action = isObject(probe) ? actionOf(probe) : undefined;
      if (!action) continue;
      const where = `${label} of container "${container.name}"`;
      kept.push(where);
      const port = portNumber(action, container);
      if (port === undefined || captured(port)) atRisk.push(where);
    }
  }
  if (kept.length === 0) return undefined;
  const risk =
    atRisk.length > 0
      ? `; under STRICT mTLS kubelet's plaintext requests to captured ports will fail: ${atRisk.join(', ')}`
      : '; none of them targets a captured port, so kubelet still reaches them';
  return note(
    `did not rewrite ${kept.join(', ')}`,
    'probe rewrite is off for this pod (sidecar.istio.io/rewriteAppHTTPProbers, injection.rewriteProbes, or status port 0)' + risk,
    atRisk.length > 0 ? 'warning' : 'info',
  );
}

/** Re-injection: the pod's existing probers are kept and new ones added; an old entry wins a key clash (Istio). */
export function mergeProbers(existing: AppProbers | undefined, fresh: AppProbers): AppProbers {
  return { ...fresh, ...(existing ?? {}) };
}

/**
 * ISTIO_KUBE_APP_PROBERS as Istio writes it (Go's encoding/json of map[string]*Prober): keys sorted,
 * struct fields in declaration order, empty fields omitted, HTML characters escaped. undefined when empty.
 */
export function serializeProbers(probers: AppProbers): string | undefined {
  const paths = Object.keys(probers).sort(compareGoStrings);
  if (paths.length === 0) return undefined;
  const entries = paths.map((path) => `${goString(path)}:${serializeProber(probers[path]!)}`);
  return `{${entries.join(',')}}`;
}

function serializeProber(prober: AppProber): string {
  const fields: string[] = [];
  if (prober.httpGet) fields.push(`"httpGet":${serializeHttpGet(prober.httpGet)}`);
  if (prober.tcpSocket) fields.push(`"tcpSocket":${goObject([['port', prober.tcpSocket['port'], true], ['host', prober.tcpSocket['host']]])}`);
  // Kubernetes' GRPCAction.service has no omitempty: an absent service is written as null.
  if (prober.grpc) fields.push(`"grpc":${goObject([['port', prober.grpc['port'], true], ['service', prober.grpc['service'] ?? null, true]])}`);
  if (typeof prober.timeoutSeconds === 'number' && prober.timeoutSeconds !== 0) fields.push(`"timeoutSeconds":${prober.timeoutSeconds}`);
  return `{${fields.join(',')}}`;
}

function serializeHttpGet(httpGet: Readonly<Record<string, unknown>>): string {
  const headers = Array.isArray(httpGet['httpHeaders'])
    ? httpGet['httpHeaders'].filter(isObject).map((header) => goObject([['name', header['name'], true], ['value', header['value'], true]]))
    : [];
  const parts = goObjectParts([
    ['path', httpGet['path']],
    ['port', httpGet['port'], true],
    ['host', httpGet['host']],
    ['scheme', httpGet['scheme']],
  ]);
  if (headers.length > 0) parts.push(`"httpHeaders":[${headers.join(',')}]`);
  return `{${parts.join(',')}}`;
}

/** [key, value, always]: without `always`, empty strings and absent values are omitted (omitempty). */
type GoField = readonly [string, unknown, boolean?];

function goObject(fields: readonly GoField[]): string {
  return `{${goObjectParts(fields).join(',')}}`;
}

function goObjectParts(fields: readonly GoField[]): string[] {
  const parts: string[] = [];
  for (const [key, value, always] of fields) {
    if (!always && (value === undefined || value === null || value === '')) continue;
    parts.push(`"${key}":${goValue(value)}`);
  }
  return parts;
}

function goValue(value: unknown): string {
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'null';
  return JSON.stringify(value) ?? 'null';
}

/** Go's json.Marshal escapes <, >, & and U+2028/U+2029 where JSON.stringify does not. */
function goString(value: string): string {
  const json = JSON.stringify(value);
  return GO_ESCAPED.test(json) ? json.replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

const GO_ESCAPED = /[<>&\u2028\u2029]/;

/** Go sorts map keys bytewise; container names are ASCII, so code-unit order matches (not locale order). */
function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reads an ISTIO_KUBE_APP_PROBERS value; anything unreadable counts as no probers (re-injection must not fail on it). */
export function parseProbers(value: string): AppProbers {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return {};
  }
  if (!isObject(parsed)) return {};
  const probers: Record<string, AppProber> = {};
  for (const [path, entry] of Object.entries(parsed)) {
    if (!isObject(entry)) continue;
    const prober: { -readonly [K in keyof AppProber]: AppProber[K] } = {};
    if (isObject(entry['httpGet'])) prober.httpGet = entry['httpGet'];
    if (isObject(entry['tcpSocket'])) prober.tcpSocket = entry['tcpSocket'];
    if (isObject(entry['grpc'])) prober.grpc = entry['grpc'];
    if (typeof entry['timeoutSeconds'] === 'number') prober.timeoutSeconds = entry['timeoutSeconds'];
    probers[path] = prober;
  }
  return probers;
}
