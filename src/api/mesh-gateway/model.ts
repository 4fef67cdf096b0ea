/**
 * A builtin gateway as the policy engine reads it: which dataplanes it configures, and their
 * listeners.
 */
import type { ListenerProtocol } from '../shared/model.js';

export interface GatewayListener {
  readonly port: number;
  readonly protocol: ListenerProtocol;
  readonly hostname: string;
  /** The listener's tags over the gateway's. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface GatewayResource {
  readonly name: string;
  readonly mesh: string;
  /** A gateway dataplane is configured when its tags hold all of any one of these. */
  readonly selectors: readonly Readonly<Record<string, string>>[];
  readonly listeners: readonly GatewayListener[];
}
