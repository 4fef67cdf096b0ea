/**
 * `renderAccessLogs`: a proxy's resolved logging policy and the `AccessLogRecord`s selecting it,
 * as each listener's Envoy `access_log` list and the clusters those loggers send to, every piece
 * checked against Envoy's protos before it is returned.
 */

import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { ProxyLogConfig } from '../policy/types.js';
import { buildAccessLogs, type RenderedAccessLogs, type RenderOptions } from './build-access-logs.js';
import { assertEnvoyConfig, envoyTypes } from './config-check/check-envoy-config.js';

export function renderAccessLogs(config: ProxyLogConfig, records: readonly AccessLogRecordLike[], options: RenderOptions): RenderedAccessLogs {
  const rendered = buildAccessLogs(config, records, options);
  for (const listener of rendered.listeners) {
    listener.access_log.forEach((log, i) => {
      assertEnvoyConfig(log, envoyTypes.accessLog, `listeners[${JSON.stringify(listener.name)}].access_log[${i}]`);
    });
  }
  rendered.clusters.forEach((cluster, i) => {
    assertEnvoyConfig(cluster, envoyTypes.cluster, `clusters[${i}]`);
  });
  return rendered;
}
