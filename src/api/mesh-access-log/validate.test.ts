/**
 * MeshAccessLog validation as tables: YAML in, problems out (as `meshlog validate` prints them).
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';

function problems(yaml: string): string[] {
  return loadResources(yaml, 'f.yaml').problems.map(formatProblem);
}

const head = 'type: MeshAccessLog\nmesh: default\nname: p\n';
/** A policy whose only `from` entry has these backends (lines 8 on). */
const withBackends = (backends: string) => `${head}spec:\n  from:\n    - targetRef: {kind: Mesh}\n      default:\n        backends:\n${backends}`;

describe('MeshAccessLog validation: sections and targets', () => {
  it.each([
    ['no section at all', `${head}spec:\n  targetRef: {kind: Mesh}\n`, ["f.yaml:5:3 spec: at least one of 'from', 'to' or 'rules' has to be defined"]],
    ['empty sections count as none', `${head}spec: {from: [], to: []}\n`, ["f.yaml:4:7 spec: at least one of 'from', 'to' or 'rules' has to be defined"]],
    [
      'rules mixed with from',
      `${head}spec:\n  from: [{targetRef: {kind: Mesh}, default: {backends: []}}]\n  rules: [{default: {backends: []}}]\n`,
      ["f.yaml:5:3 spec: fields 'to' and 'from' must be empty when 'rules' is defined"],
    ],
    [
      'to under a MeshHTTPRoute',
      `${head}spec:\n  targetRef: {kind: MeshHTTPRoute, name: r}\n  to: [{targetRef: {kind: Mesh}, default: {backends: []}}]\n`,
      [
        'f.yaml:6:7 spec.to: must not be defined when spec.targetRef.kind is MeshHTTPRoute: there is no way of knowing if an outgoing request is connected to an incoming route',
      ],
    ],
    [
      'to under a MeshGatewayRoute',
      `${head}spec:\n  targetRef: {kind: MeshGatewayRoute, name: r}\n  from: [{targetRef: {kind: Mesh}, default: {backends: []}}]\n  to: [{targetRef: {kind: Mesh}, default: {backends: []}}]\n`,
      [
        'f.yaml:7:7 spec.to: must not be defined when spec.targetRef.kind is MeshGatewayRoute: there is no way of knowing if an outgoing request is connected to an incoming route',
      ],
    ],
    [
      'a route kind in from, a subset in to',
      `${head}spec:\n  from: [{targetRef: {kind: MeshHTTPRoute, name: r}, default: {backends: []}}]\n  to: [{targetRef: {kind: MeshServiceSubset, name: s, tags: {v: '1'}}, default: {backends: []}}]\n`,
      [
        "f.yaml:5:29 spec.from[0].targetRef.kind: value 'MeshHTTPRoute' is not supported: there is no route a request originates from (supported here: Mesh, MeshSubset, MeshService, MeshServiceSubset)",
        "f.yaml:6:27 spec.to[0].targetRef.kind: value 'MeshServiceSubset' is not supported (supported here: Mesh, MeshService, MeshExternalService, MeshMultiZoneService, MeshHTTPRoute)",
      ],
    ],
    [
      'what each kind needs: a name, nothing extra (subsets without tags are fine, as in Kuma)',
      `${head}spec:\n  targetRef: {kind: MeshService}\n  from:\n    - {targetRef: {kind: MeshSubset, name: x}, default: {backends: []}}\n    - {targetRef: {kind: Mesh, tags: {a: b}}, default: {backends: []}}\n    - {targetRef: {kind: MeshServiceSubset, name: s}, default: {backends: []}}\n`,
      [
        'f.yaml:5:14 spec.targetRef.name: must be set when kind is MeshService',
        'f.yaml:7:44 spec.from[0].targetRef.name: must not be set with kind MeshSubset',
        'f.yaml:8:38 spec.from[1].targetRef.tags: must not be set with kind Mesh',
      ],
    ],
    [
      'an unknown kind, an unknown field, a missing targetRef',
      `${head}spec:\n  targetRef: {kind: Gateway}\n  from:\n    - default: {backends: []}\n      targetRefs: []\n`,
      [
        'f.yaml:5:21 spec.targetRef.kind: must be one of Mesh, MeshSubset, Dataplane, MeshGateway, MeshService, MeshExternalService, MeshMultiZoneService, MeshServiceSubset, MeshGatewayRoute, MeshHTTPRoute',
        'f.yaml:7:7 spec.from[0].targetRef: must be set',
        'f.yaml:8:7 spec.from[0].targetRefs: unknown field "targetRefs"; did you mean "targetRef"?',
      ],
    ],
  ])('reports %s', (_name, yaml, expected) => {
    expect(problems(yaml)).toEqual(expected);
  });

  it("tolerates the seed's `kind: Mesh, name: default` and a MeshService with zone tags", () => {
    expect(
      problems(
        `${head}spec:\n  targetRef: {kind: MeshService, name: web, tags: {kuma.io/zone: us-east}}\n  from: [{targetRef: {kind: Mesh, name: default}, default: {backends: []}}]\n`,
      ),
    ).toEqual([]);
  });
});

describe('MeshAccessLog validation: backends', () => {
  it.each([
    [
      'addresses, paths and endpoints',
      '          - tcp: {address: 127.0.0.1}\n          - file: {path: relative.log}\n          - openTelemetry: {endpoint: "http:/"}\n          - openTelemetry: {endpoint: collector}\n          - tcp: {address: "logs:5000"}\n          - openTelemetry: {endpoint: "https://otel.example.com/v1/logs"}\n',
      [
        'f.yaml:9:28 spec.from[0].default.backends[0].tcp.address: tcp backend requires valid address: "127.0.0.1" is not host:port',
        'f.yaml:10:26 spec.from[0].default.backends[1].file.path: file backend requires a valid path: "relative.log" is not an absolute path',
        'f.yaml:11:39 spec.from[0].default.backends[2].openTelemetry.endpoint: must be host[:port] (OTLP/gRPC) or an http(s):// URL (OTLP/HTTP), not "http:/"',
      ],
    ],
    [
      'a backend of no kind, and of two',
      '          - {}\n          - {file: {path: /a}, store: {}}\n          - {type: tcp}\n          - {conf: {path: /a}}\n',
      [
        "f.yaml:9:13 spec.from[0].default.backends[0]: must have one of 'file', 'tcp', 'openTelemetry', 'store' or 'reference'",
        "f.yaml:10:13 spec.from[0].default.backends[1]: must have only one of 'file', 'tcp', 'openTelemetry', 'store' or 'reference'",
        'f.yaml:11:13 spec.from[0].default.backends[2].conf: must be defined',
        "f.yaml:12:13 spec.from[0].default.backends[3].type: must be set when 'conf' is: file, tcp or openTelemetry",
      ],
    ],
    [
      "the seed's type and conf, with fields of another type",
      '          - name: x\n            type: tcp\n            conf: {path: /x}\n          - {name: r, type: reference, conf: {address: "a:1"}}\n          - {type: reference}\n',
      [
        'f.yaml:11:26 spec.from[0].default.backends[0].conf.path: must not be set when type is tcp',
        'f.yaml:11:19 spec.from[0].default.backends[0].conf.address: must be set when type is tcp',
        'f.yaml:12:46 spec.from[0].default.backends[1].conf: must not be set when type is reference',
        'f.yaml:13:13 spec.from[0].default.backends[2].name: must be set when type is reference',
      ],
    ],
    [
      'Kuma 2.x types without their field, or with a second one',
      '          - type: Tcp\n          - {type: File, file: {path: /a}, tcp: {address: "a:1"}}\n          - {type: Tcp, tcp: {address: "a:1"}, conf: {address: "a:1"}}\n          - {type: Udp}\n',
      [
        'f.yaml:12:20 spec.from[0].default.backends[3].type: must be one of file, tcp, openTelemetry, store, File, Tcp, OpenTelemetry, reference',
        'f.yaml:9:13 spec.from[0].default.backends[0].tcp: must be defined',
        'f.yaml:10:49 spec.from[0].default.backends[1].tcp: must not be set when type is File',
        "f.yaml:11:54 spec.from[0].default.backends[2].conf: must not be set together with 'tcp'",
      ],
    ],
    [
      "OpenTelemetry attribute keys, in Kuma's order, and values with bad operators",
      '          - openTelemetry:\n              endpoint: "otel:4317"\n              attributes:\n                - {key: "", value: a}\n                - {key: "%KUMA_MESH%", value: a}\n                - {key: otel.x, value: a}\n                - {key: Bad..Key, value: "%NOPE%"}\n                - {key: ok.key, value: a}\n                - {key: ok.key, value: b}\n',
      [
        'f.yaml:12:25 spec.from[0].default.backends[0].openTelemetry.attributes[0].key: must be defined',
        'f.yaml:13:25 spec.from[0].default.backends[0].openTelemetry.attributes[1].key: must be a static OpenTelemetry attribute name; placeholders are only supported in values',
        "f.yaml:14:25 spec.from[0].default.backends[0].openTelemetry.attributes[2].key: must not use the reserved OpenTelemetry prefix 'otel.'",
        "f.yaml:15:25 spec.from[0].default.backends[0].openTelemetry.attributes[3].key: must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit",
        'f.yaml:15:42 spec.from[0].default.backends[0].openTelemetry.attributes[3].value: unknown command operator %NOPE% at column 1',
        'f.yaml:17:25 spec.from[0].default.backends[0].openTelemetry.attributes[5].key: duplicate key "ok.key"',
      ],
    ],
  ])('reports %s', (_name, backends, expected) => {
    expect(problems(withBackends(backends))).toEqual(expected);
  });
});

describe('MeshAccessLog validation: formats and filtering', () => {
  it.each([
    [
      'a bare string, both shapes at once, neither',
      "          - tcp: {address: 'a:1', format: '%START_TIME%'}\n          - tcp: {address: 'a:1', format: {plain: x, json: [{key: a, value: b}]}}\n          - tcp: {address: 'a:1', format: {omitEmptyValues: true}}\n",
      [
        'f.yaml:9:43 spec.from[0].default.backends[0].tcp.format: a bare string format is no longer accepted (the MADR replaced it); write it as format: {plain: "%START_TIME%"}',
        "f.yaml:10:43 spec.from[0].default.backends[1].tcp.format: must have only one of 'plain' and 'json'",
        "f.yaml:11:43 spec.from[0].default.backends[2].tcp.format: must have one of 'plain' and 'json'",
      ],
    ],
    [
      'Kuma 2.x typed formats that disagree with their fields; empty and repeated keys',
      "          - file:\n              path: /a\n              format: {type: Plain, json: [{key: '', value: ''}, {key: a, value: '%PROTOCOL%'}, {key: a, value: '%DURATION%'}]}\n          - file: {path: /a, format: {type: Json, json: []}}\n",
      [
        'f.yaml:11:23 spec.from[0].default.backends[0].file.format.plain: must be defined',
        'f.yaml:11:43 spec.from[0].default.backends[0].file.format.json: must not be set when type is Plain',
        'f.yaml:11:50 spec.from[0].default.backends[0].file.format.json[0].key: key cannot be empty',
        'f.yaml:11:61 spec.from[0].default.backends[0].file.format.json[0].value: value cannot be empty',
        'f.yaml:11:103 spec.from[0].default.backends[0].file.format.json[2].key: duplicate key "a"',
        'f.yaml:12:57 spec.from[0].default.backends[1].file.format.json: must not be empty',
      ],
    ],
    [
      'operators Envoy does not know in JSON values, and a key Kuma cannot quote',
      "          - file: {path: /a, format: {type: Json, json: [{key: a, value: '%NOPE%'}, {key: 'b\\', value: '%REQ()%'}], omitEmptyValues: true}}\n",
      [
        'f.yaml:9:85 spec.from[0].default.backends[0].file.format.json[1]: is not a valid JSON object',
        'f.yaml:9:74 spec.from[0].default.backends[0].file.format.json[0].value: unknown command operator %NOPE% at column 1',
        'f.yaml:9:104 spec.from[0].default.backends[0].file.format.json[1].value: invalid command operator %REQ()% at column 1: REQ needs a header name',
      ],
    ],
    [
      'command operators the formatter does not know or cannot take',
      "          - file: {path: /a, format: {plain: '[%START_TIME%] %REQ()% %BOGUS%'}}\n",
      [
        'f.yaml:9:46 spec.from[0].default.backends[0].file.format.plain: invalid command operator %REQ()% at column 16: REQ needs a header name',
        'f.yaml:9:46 spec.from[0].default.backends[0].file.format.plain: unknown command operator %BOGUS% at column 24',
      ],
    ],
  ])('reports %s', (_name, backends, expected) => {
    expect(problems(withBackends(backends))).toEqual(expected);
  });

  it('reports every header condition problem', () => {
    const yaml = `${head}spec:\n  from:\n    - targetRef: {kind: Mesh}\n      default:\n        backends: []\n        filtering:\n          headers:\n            ":status": {op: gt, value: abc}\n            ":Status": {op: present, value: x}\n            x-a: {op: regex, value: "([a"}\n            x-b: {op: eq}\n            "bad header": {op: absent}\n            x-c: {op: like, value: a}\n            x-d: {op: eq, value: 500}\n`;
    expect(problems(yaml)).toEqual([
      'f.yaml:16:23 spec.from[0].default.filtering.headers.x-c.op: must be one of eq, ne, lt, le, gt, ge, prefix, regex, present, absent',
      'f.yaml:11:40 spec.from[0].default.filtering.headers[":status"].value: must be a number when op is gt, not "abc"',
      'f.yaml:12:24 spec.from[0].default.filtering.headers[":Status"]: header names are case-insensitive: ":Status" is the same header as ":status"',
      'f.yaml:12:45 spec.from[0].default.filtering.headers[":Status"].value: must not be set when op is present',
      expect.stringMatching(/^f\.yaml:13:37 spec\.from\[0\]\.default\.filtering\.headers\.x-a\.value: is not a valid RE2 regular expression: /),
      'f.yaml:14:18 spec.from[0].default.filtering.headers.x-b.value: must be set when op is eq',
      'f.yaml:15:27 spec.from[0].default.filtering.headers["bad header"]: "bad header" is not a valid header name',
      'f.yaml:17:34 spec.from[0].default.filtering.headers.x-d.value: must be a string: quote it ("500")',
    ]);
  });
});

describe('MeshAccessLog validation: Kuma 2.x rules', () => {
  it('accepts rules with SPIFFE and SNI matches, typed formats and OpenTelemetry', () => {
    const yaml = `${head}spec:\n  rules:\n    - matches:\n        - spiffeID: {type: Exact, value: "spiffe://default/ns/clients/sa/specific-client"}\n        - spiffeID: {type: Prefix, value: "spiffe://default/ns/"}\n          sni: {type: Exact, value: backend.mesh}\n      default:\n        backends:\n          - type: File\n            file: {path: /tmp/specific.log, format: {type: Json, json: [{key: status, value: "%RESPONSE_CODE%"}], omitEmptyValues: true}}\n          - type: OpenTelemetry\n            openTelemetry: {endpoint: "otel:4317", body: {kvlistValue: {values: []}}, attributes: [{key: kuma.mesh, value: "%KUMA_MESH%"}]}\n    - default:\n        backends: []\n`;
    expect(problems(yaml)).toEqual([]);
  });

  it('reports bad SPIFFE IDs, SNIs and empty matches', () => {
    const yaml = `${head}spec:\n  rules:\n    - matches:\n        - spiffeID: {type: Exact, value: "http://x/"}\n        - spiffeID: {type: Exact, value: "spiffe://default/ns/"}\n        - sni: {type: Exact, value: Bad_Host}\n        - sni: {type: Prefix, value: a}\n        - {}\n      default: {backends: []}\n    - matches: []\n`;
    expect(problems(yaml)).toEqual([
      'f.yaml:10:23 spec.rules[0].matches[3].sni.type: must be "Exact"',
      'f.yaml:7:42 spec.rules[0].matches[0].spiffeID.value: must be a valid Spiffe ID: scheme is missing or invalid',
      'f.yaml:8:42 spec.rules[0].matches[1].spiffeID.value: must be a valid Spiffe ID: path cannot have a trailing slash',
      "f.yaml:9:37 spec.rules[0].matches[2].sni.value: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      "f.yaml:11:11 spec.rules[0].matches[4]: must have 'spiffeID' or 'sni'",
      'f.yaml:13:7 spec.rules[1].default.backends: must be defined',
    ]);
  });
});
