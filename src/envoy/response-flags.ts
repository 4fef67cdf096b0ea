/**
 * Envoy's response flags: the `ResponseFlags` fields of an ALS entry, their short codes
 * (`%RESPONSE_FLAGS%`) and long names (`%RESPONSE_FLAGS_LONG%`), in the order Envoy joins them.
 */

export interface ResponseFlag {
  /** camelCase field of `envoy.data.accesslog.v3.ResponseFlags` as protobufjs decodes it; null when the flag has no proto field. */
  readonly field: string | null;
  readonly code: string;
  readonly long: string;
}

/** Envoy's join order (`StreamInfo::ResponseFlagUtils`), which is also the proto's field order. */
export const responseFlags: readonly ResponseFlag[] = [
  { field: 'failedLocalHealthcheck', code: 'LH', long: 'FailedLocalHealthCheck' },
  { field: 'noHealthyUpstream', code: 'UH', long: 'NoHealthyUpstream' },
  { field: 'upstreamRequestTimeout', code: 'UT', long: 'UpstreamRequestTimeout' },
  { field: 'localReset', code: 'LR', long: 'LocalReset' },
  { field: 'upstreamRemoteReset', code: 'UR', long: 'UpstreamRemoteReset' },
  { field: 'upstreamConnectionFailure', code: 'UF', long: 'UpstreamConnectionFailure' },
  { field: 'upstreamConnectionTermination', code: 'UC', long: 'UpstreamConnectionTermination' },
  { field: 'upstreamOverflow', code: 'UO', long: 'UpstreamOverflow' },
  { field: 'noRouteFound', code: 'NR', long: 'NoRouteFound' },
  { field: 'delayInjected', code: 'DI', long: 'DelayInjected' },
  { field: 'faultInjected', code: 'FI', long: 'FaultInjected' },
  { field: 'rateLimited', code: 'RL', long: 'RateLimited' },
  { field: 'unauthorizedDetails', code: 'UAEX', long: 'UnauthorizedExternalService' },
  { field: 'rateLimitServiceError', code: 'RLSE', long: 'RateLimitServiceError' },
  { field: 'downstreamConnectionTermination', code: 'DC', long: 'DownstreamConnectionTermination' },
  { field: 'upstreamRetryLimitExceeded', code: 'URX', long: 'UpstreamRetryLimitExceeded' },
  { field: 'streamIdleTimeout', code: 'SI', long: 'StreamIdleTimeout' },
  { field: 'invalidEnvoyRequestHeaders', code: 'IH', long: 'InvalidEnvoyRequestHeaders' },
  { field: 'downstreamProtocolError', code: 'DPE', long: 'DownstreamProtocolError' },
  { field: 'upstreamMaxStreamDurationReached', code: 'UMSDR', long: 'UpstreamMaxStreamDurationReached' },
  { field: 'responseFromCacheFilter', code: 'RFCF', long: 'ResponseFromCacheFilter' },
  { field: 'noFilterConfigFound', code: 'NFCF', long: 'NoFilterConfigFound' },
  { field: 'durationTimeout', code: 'DT', long: 'DurationTimeout' },
  { field: 'upstreamProtocolError', code: 'UPE', long: 'UpstreamProtocolError' },
  { field: 'noClusterFound', code: 'NC', long: 'NoClusterFound' },
  { field: 'overloadManager', code: 'OM', long: 'OverloadManagerTerminated' },
  { field: 'dnsResolutionFailure', code: 'DF', long: 'DnsResolutionFailed' },
  { field: null, code: 'DO', long: 'DropOverload' },
  { field: 'downstreamRemoteReset', code: 'DR', long: 'DownstreamRemoteReset' },
];

export const responseFlagCodes: ReadonlySet<string> = new Set(responseFlags.map((f) => f.code));

const withField = responseFlags.filter((f): f is ResponseFlag & { field: string } => f.field !== null);

/**
 * The flags set in a decoded `ResponseFlags` message, as short codes in Envoy's order.
 * `unauthorizedDetails` is a message, set when present; every other flag is a bool.
 */
export function responseFlagList(flags: Record<string, unknown> | null | undefined): string[] {
  if (!flags) return [];
  const out: string[] = [];
  for (const f of withField) {
    const v = flags[f.field];
    if (v === true || (f.field === 'unauthorizedDetails' && v != null)) out.push(f.code);
  }
  return out;
}
