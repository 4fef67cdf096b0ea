/**
 * The state of one walk over Envoy config: the protos it is checked against and what is wrong.
 */
import type protobuf from 'protobufjs';

export interface ConfigViolation {
  /** JSON path: `static_resources.listeners[0].filter_chains[0]...`. */
  readonly path: string;
  readonly message: string;
}

export interface Walk {
  readonly root: protobuf.Root;
  readonly violations: ConfigViolation[];
}
