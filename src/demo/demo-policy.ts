/**
 * The demo's MeshAccessLog: every call that fails (HTTP status 500 or more) is written, from the
 * caller's side, to `logs/failed-calls.log` in the demo's data directory (where file backends may
 * write by default), in a format that names both services, the response flags and the upstream
 * failure reason.
 */
import path from 'node:path';

export function failedCallsPolicy(dataDir: string): string {
  return `type: MeshAccessLog
mesh: default
name: failed-calls
spec:
  targetRef:
    kind: Mesh
  to:
    - targetRef:
        kind: Mesh
      default:
        filtering:
          headers:
            ":status": {op: ge, value: "500"}
        backends:
          - file:
              path: ${JSON.stringify(failedCallsLog(dataDir))}
              format:
                plain: '[%START_TIME%] %KUMA_ZONE% %KUMA_SOURCE_SERVICE% -> %KUMA_DESTINATION_SERVICE% "%REQ(:METHOD)% %REQ(:PATH)%" %RESPONSE_CODE% %RESPONSE_FLAGS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%"'
`;
}

export function failedCallsLog(dataDir: string): string {
  return path.join(dataDir, 'logs', 'failed-calls.log');
}
