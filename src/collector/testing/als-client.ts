/**
 * A real gRPC ALS client for tests: opens `StreamAccessLogs` streams over loopback and writes
 * messages encoded with the same protobufjs types Envoy's protos give.
 */
import * as grpc from '@grpc/grpc-js';
import { loadAlsTypes } from '../../envoy/protos.js';

export interface StreamResult {
  readonly error: grpc.ServiceError | null;
}

export interface AlsTestStream {
  write(message: Record<string, unknown> | Uint8Array): Promise<void>;
  /** Half-closes and waits for the server's answer. */
  end(): Promise<StreamResult>;
  /** Resolves when the server answers (error or OK), whether or not we ended. */
  readonly result: Promise<StreamResult>;
}

export function createAlsClient(target: string, options: grpc.ClientOptions = {}) {
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), options);
  const types = loadAlsTypes();
  return {
    open(version: 'v2' | 'v3' = 'v3'): AlsTestStream {
      let settle!: (r: StreamResult) => void;
      const result = new Promise<StreamResult>((resolve) => (settle = resolve));
      const call = client.makeClientStreamRequest(
        `/envoy.service.accesslog.${version}.AccessLogService/StreamAccessLogs`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        (error) => settle({ error: error ?? null }),
      );
      return {
        result,
        write(message) {
          const bytes =
            message instanceof Uint8Array ? message : types.StreamAccessLogsMessage.encode(types.StreamAccessLogsMessage.fromObject(message)).finish();
          return new Promise((resolve) => {
            call.write(Buffer.from(bytes), () => resolve());
          });
        },
        end() {
          call.end();
          return result;
        },
      };
    },
    close() {
      client.close();
    },
  };
}

/** An Istio sidecar identity as in the Gloo seed (bookinfo). */
export function istioIdentifier(workload: string, cluster: string, app = workload.replace(/-v\d+$/, ''), version = 'v1') {
  const pod = `${workload}-744894fbdb-ctvpd`;
  const str = (v: string) => ({ stringValue: v });
  return {
    node: {
      id: `sidecar~10.28.0.20~${pod}.bookinfo~bookinfo.svc.cluster.local`,
      cluster: `${app}.bookinfo`,
      metadata: {
        fields: {
          NAME: str(pod),
          NAMESPACE: str('bookinfo'),
          ISTIO_VERSION: str('1.24.0'),
          OWNER: str(`kubernetes://apis/apps/v1/namespaces/bookinfo/deployments/${workload}`),
          LABELS: { structValue: { fields: { app: str(app), version: str(version) } } },
          PROXY_CONFIG: { structValue: { fields: { proxyMetadata: { structValue: { fields: { GLOO_MESH_CLUSTER_NAME: str(cluster) } } } } } },
        },
      },
    },
    logName: 'http_envoy_accesslog',
  };
}

/** An HTTP entry like the seed's, with a distinct path so tests can find it. */
export function httpEntry(path: string, options: { code?: number; headers?: Record<string, string>; startMs?: number } = {}) {
  const startMs = options.startMs ?? Date.now();
  return {
    commonProperties: {
      downstreamRemoteAddress: { socketAddress: { address: '192.168.2.19', portValue: 58196 } },
      startTime: { seconds: Math.floor(startMs / 1000), nanos: (startMs % 1000) * 1e6 },
      timeToLastDownstreamTxByte: { nanos: 29632700 },
      upstreamCluster: 'outbound|9080||reviews.bookinfo.svc.cluster.local',
      routeName: 'default',
    },
    protocolVersion: 'HTTP11',
    request: { requestMethod: 'GET', scheme: 'https', authority: 'reviews:9080', path, requestHeaders: options.headers ?? {} },
    response: { responseCode: { value: options.code ?? 200 }, responseCodeDetails: 'via_upstream' },
  };
}
