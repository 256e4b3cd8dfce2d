// Readiness of the webhook: a serving certificate is loaded, the cluster view has synced, and the
// process is not shutting down. /readyz reports each condition by name.
import type { WebhookMetrics } from './metrics.js';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
  /** Why, for the conditions that have something to say (also while ready). */
  readonly details?: Readonly<Record<string, string>>;
}

export class Lifecycle {
  private draining = false;
  private readonly checks = new Map<string, () => boolean>();
  private readonly details = new Map<string, () => string | undefined>();

  constructor(private readonly metrics?: WebhookMetrics) {}

  /** Adds a named condition that must hold for /readyz to answer ok. */
  require(name: string, check: () => boolean): void {
    this.checks.set(name, check);
  }

  /** Adds a named explanation /readyz shows while it has one. */
  describe(name: string, detail: () => string | undefined): void {
    this.details.set(name, detail);
  }

  startDraining(): void {
    this.draining = true;
    this.metrics?.ready.set(0);
  }

  isDraining(): boolean {
    return this.draining;
  }

  readiness(): ReadinessReport {
    const checks: Record<string, boolean> = { 'not-shutting-down': !this.draining };
    for (const [name, check] of this.checks) checks[name] = check();
    const ready = Object.values(checks).every(Boolean);
    this.metrics?.ready.set(ready ? 1 : 0);
    const details: Record<string, string> = {};
    for (const [name, detail] of this.details) {
      const text = detail();
      if (text !== undefined) details[name] = text;
    }
    return Object.keys(details).length > 0 ? { ready, checks, details } : { ready, checks };
  }
}
