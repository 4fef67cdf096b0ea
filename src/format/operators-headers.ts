/**
 * Header operators: `REQ(X?Y):Z`, `REQ_WITHOUT_QUERY`, `RESP`, `TRAILER`, and the values derived
 * from headers (`GRPC_STATUS`, `TRACE_ID`).
 *
 * Envoy reports the pseudo-headers and a few well-known request headers in dedicated ALS fields,
 * and any other header only when the ALS config names it (`additional_request_headers_to_log`
 * and friends), in the `request_headers` / `response_headers` / `response_trailers` maps. Names
 * are resolved to a reader once, at compile time.
 */
import { requestMethodName } from '../envoy/entry-fields.js';
import { type AlsRequest, asEntry, type OperatorDef, text } from './als-entry.js';
import type { Evaluator, FormatValue } from './types.js';

type Reader = (entry: ReturnType<typeof asEntry>) => string | null;

const requestFields: Record<string, (r: AlsRequest) => string | null> = {
  ':method': (r) => requestMethodName(r),
  ':path': (r) => text(r.path),
  ':authority': (r) => text(r.authority),
  host: (r) => text(r.authority),
  ':scheme': (r) => text(r.scheme),
  'user-agent': (r) => text(r.userAgent),
  'x-request-id': (r) => text(r.requestId),
  'x-forwarded-for': (r) => text(r.forwardedFor),
  referer: (r) => text(r.referer),
  'x-envoy-original-path': (r) => text(r.originalPath),
};

/** A header from a logged-headers map; Envoy sends lower-case names, other senders may not. */
export function mapHeader(map: Record<string, string> | null | undefined, lowerName: string): string | null {
  if (!map) return null;
  const direct = map[lowerName];
  if (direct !== undefined) return direct;
  for (const key in map) {
    if (key.length === lowerName.length && key.toLowerCase() === lowerName) return map[key]!;
  }
  return null;
}

function requestReader(name: string): Reader {
  const field = requestFields[name];
  if (field) return (e) => (e.request ? (field(e.request) ?? mapHeader(e.request.requestHeaders, name)) : null);
  return (e) => mapHeader(e.request?.requestHeaders, name);
}

function responseReader(name: string): Reader {
  if (name === ':status') {
    return (e) => {
      const code = e.response?.responseCode?.value;
      return code ? String(code) : null;
    };
  }
  return (e) => mapHeader(e.response?.responseHeaders, name);
}

const trailerReader =
  (name: string): Reader =>
  (e) =>
    mapHeader(e.response?.responseTrailers, name);

/** `X?Y`: the first header that is present. Returns the reader, or what is wrong with the argument. */
function headerArgument(arg: string | undefined, operator: string, reader: (lowerName: string) => Reader): Reader | string {
  if (!arg) return `${operator} needs a header name`;
  const names = arg.split('?');
  if (names.length > 2) return `${operator} takes at most one alternative header ('X?Y'), got ${JSON.stringify(arg)}`;
  if (names.some((n) => n === '')) return `${operator} has an empty header name in ${JSON.stringify(arg)}`;
  const [first, second] = names.map((n) => reader(n.toLowerCase()));
  if (second === undefined) return first!;
  return (e) => first!(e) ?? second(e);
}

const headerOperator = (name: string, reader: (lowerName: string) => Reader, post?: (v: string) => string): OperatorDef => ({
  args: 'required',
  maxLength: true,
  build(arg) {
    const read = headerArgument(arg, name, reader);
    if (typeof read === 'string') return read;
    if (!post) return (entry) => read(asEntry(entry));
    return (entry) => {
      const v = read(asEntry(entry));
      return v === null ? null : post(v);
    };
  },
});

function withoutQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

const camelNames = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];
const snakeNames = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** Envoy's `Grpc::Utility::httpToGrpcStatus`, for trailers-less gRPC error responses. */
function httpToGrpcStatus(code: number): number {
  switch (code) {
    case 400:
      return 13;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;
    default:
      return 2;
  }
}

/**
 * The gRPC status: the `grpc-status` trailer, else the header (trailers-only responses), else, for
 * a request logged as gRPC (`content-type`, when logged), inferred from the HTTP status as Envoy
 * does. Envoy also refuses requests that are not gRPC; we cannot always tell (content-type is only
 * logged when configured), so a `grpc-status` is taken wherever it appears.
 */
function grpcStatus(entry: ReturnType<typeof asEntry>): number | null {
  const r = entry.response;
  const raw = mapHeader(r?.responseTrailers, 'grpc-status') ?? mapHeader(r?.responseHeaders, 'grpc-status');
  if (raw !== null) {
    const n = Number(raw);
    return raw !== '' && Number.isInteger(n) && n >= 0 ? n : null;
  }
  const contentType = mapHeader(entry.request?.requestHeaders, 'content-type');
  const code = r?.responseCode?.value;
  if (contentType?.startsWith('application/grpc') && code) return code === 200 ? 2 : httpToGrpcStatus(code);
  return null;
}

const grpcStatusOperator: OperatorDef = {
  args: 'optional',
  build(arg) {
    const format = arg ? arg : 'CAMEL_STRING';
    if (format === 'NUMBER') return (entry) => grpcStatus(asEntry(entry));
    const names = format === 'CAMEL_STRING' ? camelNames : format === 'SNAKE_STRING' ? snakeNames : null;
    if (names === null) return `GRPC_STATUS takes CAMEL_STRING, SNAKE_STRING or NUMBER, got ${JSON.stringify(arg)}`;
    return (entry): FormatValue => {
      const n = grpcStatus(asEntry(entry));
      return n === null ? null : (names[n] ?? String(n));
    };
  },
};

/** `TRACE_ID`: Envoy reads the active span; from ALS, the B3 or W3C trace header when logged. */
const traceId: Evaluator = (entry) => {
  const headers = asEntry(entry).request?.requestHeaders;
  const b3 = mapHeader(headers, 'x-b3-traceid');
  if (b3) return b3;
  const parent = mapHeader(headers, 'traceparent'); // version-traceid-spanid-flags
  return parent && parent.length >= 35 && parent.charCodeAt(2) === 45 ? parent.slice(3, 35) : null;
};

export const headerOperators: Record<string, OperatorDef> = {
  REQ: headerOperator('REQ', requestReader),
  REQ_WITHOUT_QUERY: headerOperator('REQ_WITHOUT_QUERY', requestReader, withoutQuery),
  RESP: headerOperator('RESP', responseReader),
  TRAILER: headerOperator('TRAILER', trailerReader),
  GRPC_STATUS: grpcStatusOperator,
  GRPC_STATUS_NUMBER: { args: 'none', build: () => (entry) => grpcStatus(asEntry(entry)) },
  TRACE_ID: { args: 'none', build: () => traceId },
};
