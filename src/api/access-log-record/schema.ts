/**
 * Gloo Mesh's `AccessLogRecord` (`observability.enterprise.mesh.gloo.solo.io/v1`): which
 * workloads emit access logs, which requests are recorded, which headers are included.
 */
import { type Static, Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const KubeWorkloadMatcher = Type.Object(
  {
    labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Labels that must all be on the workload.' })),
    namespaces: Type.Optional(Type.Array(Type.String(), { description: 'The workload is in one of these namespaces.' })),
    clusters: Type.Optional(Type.Array(Type.String(), { description: 'The workload is in one of these clusters.' })),
  },
  strict,
);

export const WorkloadSelector = Type.Object({ kubeWorkloadMatcher: Type.Optional(KubeWorkloadMatcher) }, strict);

export const StatusCodeMatcher = Type.Object(
  {
    value: Type.Integer({ description: 'HTTP status code to compare with.' }),
    comparator: Type.Optional(Type.Union([Type.Literal('EQ'), Type.Literal('GE'), Type.Literal('LE')], { description: 'EQ (default), GE or LE.' })),
  },
  strict,
);

export const HeaderMatcher = Type.Object(
  {
    name: Type.String({ description: 'Header name; pseudo-headers such as :path are allowed.' }),
    value: Type.Optional(Type.String({ description: 'Omit to match on presence.' })),
    regex: Type.Optional(Type.Boolean({ description: 'Treat value as a regular expression matching the whole header value.' })),
    invertMatch: Type.Optional(Type.Boolean({ description: 'Match when the header does not match.' })),
  },
  strict,
);

export const Filter = Type.Object(
  {
    statusCodeMatcher: Type.Optional(StatusCodeMatcher),
    headerMatcher: Type.Optional(HeaderMatcher),
  },
  { ...strict, description: 'Exactly one of statusCodeMatcher and headerMatcher.' },
);

const headerList = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));

export const AccessLogRecordSpec = Type.Object(
  {
    workloadSelectors: Type.Optional(Type.Array(WorkloadSelector, { description: 'Workloads to collect from; empty selects all. OR-ed.' })),
    filters: Type.Optional(Type.Array(Filter, { description: 'A request is recorded if it matches any filter; empty records all.' })),
    includedRequestHeaders: headerList('Request headers to include in access logs.'),
    includedResponseHeaders: headerList('Response headers to include in access logs.'),
    includedResponseTrailers: headerList('Response trailers to include in access logs.'),
    includedFilterStateObjects: headerList('Filter state objects to include in access logs.'),
  },
  strict,
);

export type AccessLogRecordSpec = Static<typeof AccessLogRecordSpec>;
