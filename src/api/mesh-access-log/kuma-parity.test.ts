/**
 * Kuma 2.14's own validator cases for MeshAccessLog, restated in meshlog's words: each spec that
 * Kuma's `validator_test.go` accepts is accepted here, and each that it refuses is refused at the
 * same field paths, with Kuma's message (or the beginning of it: meshlog may say why after a
 * colon). Where meshlog refuses more, `also` lists the extra violation and the docs say why
 * (docs/reference/resources.md, "Where meshlog and Kuma differ").
 */
import { describe, expect, it } from 'vitest';
import { loadResources } from '../load-yaml.js';

/** A `spec:` body (two-space indented) as a universal MeshAccessLog. */
function violations(spec: string): Array<[string, string]> {
  const text = `type: MeshAccessLog\nmesh: default\nname: parity\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
  return loadResources(text, 'parity.yaml').problems.map((p) => [p.field, p.message]);
}

const meshFrom = (backends: string) =>
  `targetRef: {kind: Mesh}\nfrom:\n  - targetRef: {kind: Mesh}\n    default:\n      backends:\n${backends.replace(/^/gm, '        ')}`;

const accepted: Array<[string, string]> = [
  [
    'inbound TCP logging in JSON, outbound file logging in plain text',
    `targetRef: {kind: Mesh}
from:
  - targetRef: {kind: Mesh}
    default:
      backends:
        - type: Tcp
          tcp: {address: "127.0.0.1:5000", format: {type: Json, json: [{key: started, value: "%START_TIME%"}]}}
to:
  - targetRef: {kind: MeshService, name: backend}
    default:
      backends:
        - type: File
          file: {path: /var/log/out.log, format: {type: Plain, plain: '{"started": "%START_TIME%"}'}}`,
  ],
  ['a file backend with no format (the default applies)', meshFrom('- type: File\n  file: {path: /var/log/in.log}')],
  ['an empty list of backends (nothing is logged)', 'targetRef: {kind: Mesh}\nfrom:\n  - targetRef: {kind: Mesh}\n    default: {backends: []}'],
  [
    'a MeshMultiZoneService destination, by name',
    'targetRef: {kind: Mesh}\nto:\n  - targetRef: {kind: MeshMultiZoneService, name: checkout}\n    default:\n      backends: [{type: File, file: {path: /var/log/mz.log}}]',
  ],
  [
    'an OpenTelemetry backendRef by display name',
    meshFrom('- type: OpenTelemetry\n  openTelemetry:\n    backendRef: {kind: MeshOpenTelemetryBackend, labels: {kuma.io/display-name: collector}}'),
  ],
  [
    'an OpenTelemetry backendRef by any label',
    meshFrom('- type: OpenTelemetry\n  openTelemetry:\n    backendRef: {kind: MeshOpenTelemetryBackend, labels: {team: observability}}'),
  ],
  [
    'an OpenTelemetry endpoint with a well-formed attribute',
    meshFrom('- type: OpenTelemetry\n  openTelemetry:\n    endpoint: "collector:4317"\n    attributes: [{key: deployment.environment, value: "%KUMA_ZONE%"}]'),
  ],
  [
    'inbound rules on one section of a dataplane, matched by SPIFFE ID',
    'targetRef: {kind: Dataplane, labels: {app: web}, sectionName: http}\nrules:\n  - matches: [{spiffeID: {type: Prefix, value: "spiffe://default/"}}]\n    default: {backends: [{type: File, file: {path: /var/log/web.log}}]}',
  ],
];

interface Refused {
  readonly spec: string;
  /** Kuma's violations: field path and (the start of) its message. */
  readonly kuma: Array<[string, string]>;
  /** meshlog's further violations, with the reason. */
  readonly also?: Array<[string, string]>;
}

const tooLooseAddress = 'tcp backend requires valid address';

const refused: Record<string, Refused> = {
  'no from, to or rules': { spec: 'targetRef: {kind: Mesh}', kuma: [['spec', "at least one of 'from', 'to' or 'rules' has to be defined"]] },
  'a file backend without a path': {
    spec: meshFrom('- type: File\n  file: {format: {type: Plain, plain: "%START_TIME%"}}'),
    kuma: [['spec.from[0].default.backends[0].file.path', 'file backend requires a valid path']],
  },
  'a file path that is not a path': {
    spec: meshFrom('- type: File\n  file: {path: "#nope", format: {type: Plain, plain: "%START_TIME%"}}'),
    kuma: [['spec.from[0].default.backends[0].file.path', 'file backend requires a valid path']],
  },
  'a JSON field without a key': {
    spec: meshFrom('- type: File\n  file: {path: /var/log/a.log, format: {type: Json, json: [{value: "%START_TIME%"}]}}'),
    kuma: [['spec.from[0].default.backends[0].file.format.json[0].key', 'key cannot be empty']],
  },
  'a JSON field without a value': {
    spec: meshFrom('- type: File\n  file: {path: /var/log/a.log, format: {type: Json, json: [{key: started}]}}'),
    kuma: [['spec.from[0].default.backends[0].file.format.json[0].value', 'value cannot be empty']],
  },
  'a JSON key that breaks the object once quoted': {
    spec: meshFrom(`- type: File\n  file: {path: /var/log/a.log, format: {type: Json, json: [{key: 'a"b', value: "%START_TIME%"}]}}`),
    kuma: [['spec.from[0].default.backends[0].file.format.json[0]', 'is not a valid JSON object']],
  },
  'an outbound entry with no default': {
    spec: 'targetRef: {kind: Mesh}\nto:\n  - targetRef: {kind: Mesh}',
    kuma: [['spec.to[0].default.backends', 'must be defined']],
  },
  'an inbound entry with no default': {
    spec: 'targetRef: {kind: Mesh}\nfrom:\n  - targetRef: {kind: Mesh}',
    kuma: [['spec.from[0].default.backends', 'must be defined']],
  },
  'a dataplane section in a policy that only logs outbound traffic': {
    spec: 'targetRef: {kind: Dataplane, sectionName: http}\nto:\n  - targetRef: {kind: Mesh}',
    kuma: [
      ['spec.targetRef.sectionName', 'can only be used with inbound policies'],
      ['spec.to[0].default.backends', 'must be defined'],
    ],
  },
  'rules next to from': {
    spec: 'targetRef: {kind: Mesh}\nfrom:\n  - targetRef: {kind: Mesh}\nrules:\n  - default:\n      backends: [{type: Tcp, tcp: {address: logs.example.com}}]',
    kuma: [
      ['spec', "fields 'to' and 'from' must be empty when 'rules' is defined"],
      ['spec.from[0].default.backends', 'must be defined'],
    ],
    also: [['spec.rules[0].default.backends[0].tcp.address', tooLooseAddress]],
  },
  'a TCP address that is no address': {
    spec: meshFrom('- type: Tcp\n  tcp: {address: "no_such host"}'),
    kuma: [['spec.from[0].default.backends[0].tcp.address', tooLooseAddress]],
  },
  'empty JSON formats': {
    spec: meshFrom(
      '- type: File\n  file: {path: /var/log/a.log, format: {type: Json, json: []}}\n- type: Tcp\n  tcp: {address: "http://logs.example.com", format: {type: Json, json: []}}',
    ),
    kuma: [
      ['spec.from[0].default.backends[0].file.format.json', 'must not be empty'],
      ['spec.from[0].default.backends[1].tcp.format.json', 'must not be empty'],
    ],
    also: [['spec.from[0].default.backends[1].tcp.address', tooLooseAddress]],
  },
  'empty plain formats': {
    spec: meshFrom(
      '- type: File\n  file: {path: /var/log/a.log, format: {type: Plain, plain: ""}}\n- type: Tcp\n  tcp: {address: "http://logs.example.com", format: {type: Plain, plain: ""}}',
    ),
    kuma: [
      ['spec.from[0].default.backends[0].file.format.plain', 'must not be empty'],
      ['spec.from[0].default.backends[1].tcp.format.plain', 'must not be empty'],
    ],
    also: [['spec.from[0].default.backends[1].tcp.address', tooLooseAddress]],
  },
  'backend types without their settings': {
    spec: meshFrom('- type: File\n- type: Tcp\n- type: OpenTelemetry'),
    kuma: [
      ['spec.from[0].default.backends[0].file', 'must be defined'],
      ['spec.from[0].default.backends[1].tcp', 'must be defined'],
      ['spec.from[0].default.backends[2].openTelemetry', 'must be defined'],
    ],
  },
  'format types without their field': {
    spec: meshFrom(
      '- type: File\n  file: {path: /var/log/a.log, format: {type: Plain}}\n- type: Tcp\n  tcp: {address: "http://logs.example.com", format: {type: Json}}',
    ),
    kuma: [
      ['spec.from[0].default.backends[0].file.format.plain', 'must be defined'],
      ['spec.from[0].default.backends[1].tcp.format.json', 'must be defined'],
    ],
    also: [['spec.from[0].default.backends[1].tcp.address', tooLooseAddress]],
  },
  'an OpenTelemetry backend with neither endpoint nor backendRef': {
    spec: meshFrom('- type: OpenTelemetry\n  openTelemetry: {endpoint: ""}'),
    kuma: [['spec.from[0].default.backends[0].openTelemetry', 'openTelemetry must have exactly one defined: endpoint, backendRef']],
  },
  'an OpenTelemetry backend with both': {
    spec: meshFrom(
      '- type: OpenTelemetry\n  openTelemetry:\n    endpoint: "collector:4317"\n    backendRef: {kind: MeshOpenTelemetryBackend, labels: {kuma.io/display-name: collector}}',
    ),
    kuma: [['spec.from[0].default.backends[0].openTelemetry', 'openTelemetry must have only one type defined: endpoint, backendRef']],
  },
  'a backendRef that names nothing': {
    spec: meshFrom('- type: OpenTelemetry\n  openTelemetry:\n    backendRef: {kind: MeshOpenTelemetryBackend}'),
    // Kuma 2.14 takes labels only and lists them alone; meshlog also takes a name (MADR 095).
    kuma: [['spec.from[0].default.backends[0].openTelemetry.backendRef', 'backendRef must have exactly one defined']],
  },
  'an attribute key with spaces': {
    spec: meshFrom(
      '- type: OpenTelemetry\n  openTelemetry:\n    endpoint: "collector:4317"\n    attributes: [{key: "request id", value: "%REQ(X-REQUEST-ID)%"}]',
    ),
    kuma: [['spec.from[0].default.backends[0].openTelemetry.attributes[0].key', 'must start with a lowercase letter']],
  },
  'an attribute key with a placeholder': {
    spec: meshFrom('- type: OpenTelemetry\n  openTelemetry:\n    endpoint: "collector:4317"\n    attributes: [{key: "%KUMA_MESH%", value: x}]'),
    kuma: [['spec.from[0].default.backends[0].openTelemetry.attributes[0].key', 'must be a static OpenTelemetry attribute name']],
  },
  'an attribute key in the reserved namespace': {
    spec: meshFrom('- type: OpenTelemetry\n  openTelemetry:\n    endpoint: "collector:4317"\n    attributes: [{key: otel.status_code, value: x}]'),
    kuma: [['spec.from[0].default.backends[0].openTelemetry.attributes[0].key', "must not use the reserved OpenTelemetry prefix 'otel.'"]],
  },
  'two bad attribute keys, each reported': {
    spec: meshFrom(
      '- type: OpenTelemetry\n  openTelemetry:\n    endpoint: "collector:4317"\n    attributes: [{key: "Bad Key", value: x}, {key: "%KUMA_ZONE%", value: y}]',
    ),
    kuma: [
      ['spec.from[0].default.backends[0].openTelemetry.attributes[0].key', 'must start with a lowercase letter'],
      ['spec.from[0].default.backends[0].openTelemetry.attributes[1].key', 'must be a static OpenTelemetry attribute name'],
    ],
  },
  "a gateway policy naming one destination (2.14: a gateway's 'to' takes Mesh only)": {
    spec: 'targetRef: {kind: MeshGateway, name: edge}\nto:\n  - targetRef: {kind: MeshService, name: backend}\n    default: {backends: [{type: File, file: {path: /var/log/gw.log}}]}',
    kuma: [['spec.to[0].targetRef.kind', "value 'MeshService' is not supported"]],
  },
};

describe("Kuma 2.14's MeshAccessLog validator cases", () => {
  it.each(accepted)('accepts %s', (_name, spec) => {
    expect(violations(spec)).toEqual([]);
  });

  it.each(Object.entries(refused))('refuses %s where Kuma does', (_name, c) => {
    const got = violations(c.spec);
    const want = [...c.kuma, ...(c.also ?? [])];
    expect(got.map(([f]) => f).sort()).toEqual(want.map(([f]) => f).sort());
    for (const [f, message] of want) {
      expect(
        got.some(([gf, gm]) => gf === f && gm.startsWith(message)),
        `${f}: ${message}`,
      ).toBe(true);
    }
  });
});

/** Kuma's shared targetRef rules, as a MeshAccessLog meets them. */
const targetRefCases: Array<[string, string, Array<[string, string]>]> = [
  [
    'Mesh takes no labels or section',
    'targetRef: {kind: Mesh, labels: {a: b}, sectionName: http}',
    [
      ['spec.targetRef.labels', 'must not be set with kind Mesh'],
      ['spec.targetRef.sectionName', 'must not be set with kind Mesh'],
    ],
  ],
  ['a Dataplane takes no tags', 'targetRef: {kind: Dataplane, tags: {a: b}}', [['spec.targetRef.tags', 'must not be set with kind Dataplane']]],
  [
    'a Dataplane by labels and name at once',
    'targetRef: {kind: Dataplane, name: web-1, labels: {app: web}}',
    [['spec.targetRef.labels', 'either labels or name and namespace must be specified']],
  ],
  [
    'proxyTypes on a MeshService',
    'targetRef: {kind: MeshService, name: web, proxyTypes: [Sidecar]}',
    [['spec.targetRef.proxyTypes', 'must not be set with kind MeshService']],
  ],
  ['a MeshService name Kuma cannot store', 'targetRef: {kind: MeshService, name: "Web*"}', [['spec.targetRef.name', 'invalid characters']]],
  ['a MeshSubset tag name with a star', 'targetRef: {kind: MeshSubset, tags: {"app*": web}}', [['spec.targetRef.tags["app*"]', 'tag name must consist of']]],
  ['a MeshGateway without a name', 'targetRef: {kind: MeshGateway}', [['spec.targetRef.name', 'must be set when kind is MeshGateway']]],
];

const toCases: Array<[string, string, Array<[string, string]>]> = [
  ['a MeshService with neither name nor labels', '{kind: MeshService}', [['spec.to[0].targetRef.name', 'must be set when kind is MeshService']]],
  [
    'a MeshService by labels and name',
    '{kind: MeshService, name: web, labels: {app: web}}',
    [['spec.to[0].targetRef.labels', 'either labels or name and namespace must be specified']],
  ],
  [
    'a MeshExternalService with a section',
    '{kind: MeshExternalService, name: httpbin, sectionName: "443"}',
    [['spec.to[0].targetRef.sectionName', 'must not be set with kind MeshExternalService']],
  ],
  [
    'a MeshExternalService by labels and name',
    '{kind: MeshExternalService, name: httpbin, labels: {a: b}}',
    [['spec.to[0].targetRef.labels', 'either labels or name must be specified']],
  ],
  [
    'a MeshHTTPRoute with a section',
    '{kind: MeshHTTPRoute, name: api, sectionName: x}',
    [['spec.to[0].targetRef.sectionName', 'must not be set with kind MeshHTTPRoute']],
  ],
  ['a MeshService with tags', '{kind: MeshService, name: web, tags: {version: v1}}', [['spec.to[0].targetRef.tags', 'must not be set with kind MeshService']]],
  [
    'proxyTypes below the top level',
    '{kind: Mesh, proxyTypes: [Gateway]}',
    [['spec.to[0].targetRef.proxyTypes', 'can only be used in the top-level targetRef']],
  ],
];

describe("Kuma 2.14's targetRef rules in a MeshAccessLog", () => {
  const withFrom = (top: string) => `${top}\nfrom:\n  - targetRef: {kind: Mesh}\n    default: {backends: []}`;
  it.each(targetRefCases)('%s', (_name, top, expected) => {
    const got = violations(withFrom(top));
    expect(got.map(([f]) => f)).toEqual(expected.map(([f]) => f));
    for (const [i, [, message]] of expected.entries()) expect(got[i]![1].startsWith(message)).toBe(true);
  });

  it.each(toCases)('%s in to', (_name, ref, expected) => {
    const got = violations(`targetRef: {kind: Mesh}\nto:\n  - targetRef: ${ref}\n    default: {backends: []}`);
    expect(got.map(([f]) => f)).toEqual(expected.map(([f]) => f));
    for (const [i, [, message]] of expected.entries()) expect(got[i]![1].startsWith(message)).toBe(true);
  });

  it('accepts every new kind where it belongs', () => {
    const spec = `targetRef: {kind: Mesh, proxyTypes: [Sidecar, Gateway]}
to:
  - targetRef: {kind: MeshService, labels: {kuma.io/display-name: web}, sectionName: http}
    default: {backends: []}
  - targetRef: {kind: MeshService, name: web, namespace: shop, sectionName: "8080"}
    default: {backends: []}
  - targetRef: {kind: MeshExternalService, labels: {team: payments}}
    default: {backends: []}
  - targetRef: {kind: MeshMultiZoneService, name: checkout, sectionName: http}
    default: {backends: []}
  - targetRef: {kind: MeshHTTPRoute, name: api}
    default: {backends: []}`;
    expect(violations(spec)).toEqual([]);
    expect(violations(withFrom('targetRef: {kind: MeshGateway, name: edge}'))).toEqual([]);
    expect(violations(withFrom('targetRef: {kind: Dataplane, name: web-1, namespace: shop, sectionName: "8080"}'))).toEqual([]);
    expect(violations(withFrom('targetRef: {kind: MeshSubset, tags: {kuma.io/zone: east}, proxyTypes: [Gateway]}'))).toEqual([]);
    expect(violations(withFrom('targetRef: {kind: MeshService, labels: {app: web}}'))).toEqual([]);
  });
});
