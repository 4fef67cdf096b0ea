import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';

/** YAML in, problems out (as `meshlog validate` prints them). */
function problems(yaml: string): string[] {
  return loadResources(yaml, 'f.yaml').problems.map(formatProblem);
}

const header = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata:
  name: access-log-all
  namespace: gloo-mesh
`;

describe('AccessLogRecord validation', () => {
  it('accepts the seed example and reads it into a resource', () => {
    const { resources, problems: p } = loadResources(`${header}spec:\n  filters:\n    - headerMatcher:\n        name: foo\n        value: bar\n`, 'f.yaml');
    expect(p).toEqual([]);
    expect(resources[0]?.resource).toMatchObject({
      kind: 'AccessLogRecord',
      name: 'access-log-all',
      scope: 'gloo-mesh',
      encoding: 'kubernetes',
      spec: { filters: [{ headerMatcher: { name: 'foo', value: 'bar' } }] },
    });
  });

  it.each([
    [
      'an empty header matcher, with its position',
      'spec:\n  filters:\n    - statusCodeMatcher: {value: 500, comparator: GE}\n    - headerMatcher: {}\n',
      ['f.yaml:9:22 spec.filters[1].headerMatcher.name: must be set'],
    ],
    [
      'both matchers in one filter, and neither',
      'spec:\n  filters:\n    - statusCodeMatcher: {value: 500}\n      headerMatcher: {name: foo}\n    - {}\n',
      [
        "f.yaml:8:7 spec.filters[0]: must have only one of 'statusCodeMatcher' and 'headerMatcher'",
        "f.yaml:10:7 spec.filters[1]: must have one of 'statusCodeMatcher' and 'headerMatcher'",
      ],
    ],
    [
      'a bad comparator, a status out of range, a bad regex and an unknown field, all at once',
      "spec:\n  filters:\n    - statusCodeMatcher: {value: 700, comparator: GT}\n    - headerMatcher: {name: ':path', value: '([a-z', regex: true}\n  workloadSelectors:\n    - kubeWorkloadMatcher: {labels: {app: 1}, zones: [a]}\n",
      [
        'f.yaml:11:47 spec.workloadSelectors[0].kubeWorkloadMatcher.zones: unknown field',
        'f.yaml:11:43 spec.workloadSelectors[0].kubeWorkloadMatcher.labels.app: must be a string',
        'f.yaml:8:51 spec.filters[0].statusCodeMatcher.comparator: must be one of EQ, GE, LE',
        'f.yaml:8:34 spec.filters[0].statusCodeMatcher.value: must be an HTTP status code from 100 to 599',
        expect.stringMatching(/^f\.yaml:9:45 spec\.filters\[1\]\.headerMatcher\.value: is not a valid RE2 regular expression: /),
      ],
    ],
    [
      'header names that are not tokens',
      'spec:\n  includedRequestHeaders: [x-user, "bad header"]\n',
      ['f.yaml:7:36 spec.includedRequestHeaders[1]: "bad header" is not a valid header name'],
    ],
  ])('reports %s', (_name, spec, expected) => {
    expect(problems(header + spec)).toEqual(expected);
  });

  it('reports envelope problems of both encodings, per document', () => {
    const text = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v9\nkind: AccessLogRecord\nmetadata: {name: Bad_Name}\nspec: {}\n---\ntype: AccessLogRecord\nspec: {}\n---\nkind: Nope\n`;
    expect(problems(text)).toEqual([
      'f.yaml:1:13 apiVersion: must be observability.enterprise.mesh.gloo.solo.io/v1 or observability.enterprise.mesh.gloo.solo.io/v1alpha1 for kind AccessLogRecord',
      "f.yaml:3:18 metadata.name: \"Bad_Name\" must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
      'f.yaml:6:1 name: must be set',
      expect.stringMatching(/^f\.yaml:9:7 kind: unknown kind "Nope" \(known: AccessLogRecord, /),
    ]);
  });

  it('reports YAML syntax errors with their position and reads Kubernetes Lists', () => {
    expect(problems('spec: [unclosed\n')[0]).toMatch(/^f\.yaml:\d+:\d+ /);
    const list = `kind: List\nitems:\n  - ${header.replace(/\n/g, '\n    ').trimEnd()}\n    spec: {}\n`;
    expect(loadResources(list, 'f.yaml').resources).toHaveLength(1);
  });
});
