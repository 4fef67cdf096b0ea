/**
 * A shared OpenTelemetry collector as the policy engine reads it: what a policy's
 * `openTelemetry.backendRef` resolves to.
 */
import type { ResolvedOtlpDestination } from '../../sinks/index.js';

export interface OtelBackendResource {
  readonly name: string;
  readonly mesh: string;
  /** Its labels with Kuma's own (`kuma.io/display-name`, `kuma.io/mesh`): what `backendRef.labels` selects by. */
  readonly labels: Readonly<Record<string, string>>;
  /** The endpoint and TLS the sink exports with, Kuma's defaults filled in. */
  readonly destination: ResolvedOtlpDestination;
}
