/**
 * Routes of both kinds, in the seed's and Kuma's shapes: what they normalise to and what is refused.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';
import { normalizeRoute } from './normalize.js';

function load(yaml: string) {
  const { resources, problems } = loadResources(yaml, 'f.yaml');
  return { resources: resources.map((r) => r.resource), problems: problems.map(formatProblem) };
}

describe('MeshHTTPRoute', () => {
  it("reads Kuma's shape: the target, every match of every destination's rules", () => {
    const { resources, problems } = load(`apiVersion: kuma.io/v1alpha1
kind: MeshHTTPRoute
metadata:
  name: orders
  labels: {kuma.io/mesh: shop}
spec:
  targetRef: {kind: MeshService, name: orders}
  to:
    - targetRef: {kind: MeshService, name: orders}
      rules:
        - matches:
            - path: {type: Exact, value: /orders}
              method: POST
            - headers: [{name: x-debug, type: Present}, {name: x-user, value: alice}]
          default: {backendRefs: [{kind: MeshService, name: orders-v2}]}
        - matches:
            - path: {type: RegularExpression, value: "^/orders/[0-9]+$"}
`);
    expect(problems).toEqual([]);
    expect(normalizeRoute(resources[0]!)).toEqual({
      kind: 'MeshHTTPRoute',
      name: 'orders',
      mesh: 'shop',
      targetRef: { kind: 'MeshService', name: 'orders' },
      matches: [
        { path: { type: 'Exact', value: '/orders' }, method: 'POST' },
        {
          headers: [
            { type: 'Present', name: 'x-debug' },
            { type: 'Exact', name: 'x-user', value: 'alice' },
          ],
        },
        { path: { type: 'RegularExpression', value: '^/orders/[0-9]+$' } },
      ],
      destinations: [{ kind: 'MeshService', name: 'orders' }],
      labels: { 'kuma.io/display-name': 'orders', 'kuma.io/mesh': 'shop' },
    });
  });

  it('takes every request when one rule has no matches', () => {
    const { resources } = load(
      'type: MeshHTTPRoute\nname: all\nspec:\n  http:\n    rules:\n      - matches: [{path: {match: EXACT, value: /a}}]\n      - {}\n',
    );
    expect(normalizeRoute(resources[0]!).matches).toEqual([]);
  });

  it('reports both shapes at once, neither, bad targets and bad matches', () => {
    const yaml = `type: MeshHTTPRoute
name: bad
spec:
  targetRef: {kind: MeshHTTPRoute, name: other}
  to:
    - targetRef: {kind: MeshSubset, tags: {a: b}}
      rules:
        - matches:
            - path: {value: /a}
            - path: {type: PathPrefix, match: PREFIX, value: a}
            - path: {match: REGEX, value: "(["}
            - headers: [{name: "", type: Absent, value: x}, {name: a, match: EXACT}]
            - method: FETCH
  http: {rules: []}
---
type: MeshHTTPRoute
name: empty
spec: {}
`;
    expect(load(yaml).problems).toEqual([
      'f.yaml:13:23 spec.to[0].rules[0].matches[4].method: must be one of CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE',
      "f.yaml:14:9 spec.http: must not be set together with 'to'",
      "f.yaml:4:21 spec.targetRef.kind: value 'MeshHTTPRoute' is not supported (supported here: Mesh, MeshSubset, Dataplane, MeshGateway, MeshService, MeshServiceSubset)",
      "f.yaml:6:25 spec.to[0].targetRef.kind: value 'MeshSubset' is not supported (supported here: Mesh, MeshService, MeshExternalService, MeshMultiZoneService)",
      "f.yaml:9:21 spec.to[0].rules[0].matches[0].path: must have 'type' (or the seed's 'match')",
      "f.yaml:10:47 spec.to[0].rules[0].matches[1].path.match: must not be set together with 'type'",
      "f.yaml:10:62 spec.to[0].rules[0].matches[1].path.value: must start with '/'",
      expect.stringMatching(/^f\.yaml:11:43 spec\.to\[0\]\.rules\[0\]\.matches\[2\]\.path\.value: is not a valid RE2 regular expression: /),
      'f.yaml:12:32 spec.to[0].rules[0].matches[3].headers[0].name: must not be empty',
      'f.yaml:12:57 spec.to[0].rules[0].matches[3].headers[0].value: must not be set when type is Absent',
      'f.yaml:12:61 spec.to[0].rules[0].matches[3].headers[1].value: must be set when type is Exact',
      "f.yaml:18:7 spec: must have 'to' (or the seed's 'http')",
    ]);
  });
});

describe('MeshGatewayRoute', () => {
  it('reads a universal Kuma 1.x gateway route: its gateway as a MeshSubset, its HTTP matches', () => {
    const { resources, problems } = load(`type: MeshGatewayRoute
mesh: default
name: edge-route
selectors:
  - match: {kuma.io/service: edge-gateway}
conf:
  http:
    hostnames: [shop.example.com]
    rules:
      - matches:
          - path: {match: PREFIX, value: /api}
            headers: [{match: REGEX, name: x-version, value: "v[0-9]"}]
        backends: [{destination: {kuma.io/service: api}}]
`);
    expect(problems).toEqual([]);
    expect(normalizeRoute(resources[0]!)).toEqual({
      kind: 'MeshGatewayRoute',
      name: 'edge-route',
      mesh: 'default',
      targetRef: { kind: 'MeshSubset', tags: { 'kuma.io/service': 'edge-gateway' } },
      matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ type: 'RegularExpression', name: 'x-version', value: 'v[0-9]' }] }],
    });
  });

  it('accepts the fields under spec too, and a TCP route takes every connection', () => {
    const { resources, problems } = load(
      'type: MeshGatewayRoute\nname: tcp\nspec:\n  selectors: [{match: {kuma.io/service: gw}}]\n  conf: {tcp: {rules: []}}\n',
    );
    expect(problems).toEqual([]);
    expect(normalizeRoute(resources[0]!).matches).toEqual([]);
  });

  it('reports several or empty selectors and a conf with both or neither kind', () => {
    const yaml =
      'type: MeshGatewayRoute\nname: bad\nselectors:\n  - match: {}\n  - match: {a: b}\nconf: {http: {rules: []}, tcp: {}}\n---\ntype: MeshGatewayRoute\nname: none\nselectors: [{match: {a: b}}]\nconf: {}\n';
    expect(load(yaml).problems).toEqual([
      "f.yaml:4:3 selectors: must have exactly one selector (the gateway's tags), not 2",
      'f.yaml:4:12 selectors[0].match: must have at least one tag',
      "f.yaml:6:32 conf.tcp: must not be set together with 'http'",
      "f.yaml:11:7 conf: must have one of 'http' and 'tcp'",
    ]);
  });
});
