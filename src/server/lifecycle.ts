// Readiness of the webhook: a serving certificate is loaded, the cluster view has synced, and the
// process is not shutting down. /readyz reports each condition by name.
import type { WebhookMetrics } from './metrics.js';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

export class Lifecycle {
  private draining = false;
  private readonly checks = new Map<string, () => boolean>();

  constructor(private readonly metrics?: WebhookMetrics) {}

  /** Adds a named condition that must hold for /readyz to answer ok. */
  require(name: string, check: () => boolean): void {
    this.checks.set(name, check);
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
    return { ready, checks };
  }
}
