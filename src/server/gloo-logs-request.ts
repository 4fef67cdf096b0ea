/**
 * The body of `POST /v0/observability/logs`: Gloo's `WatchAccessLogsRequest.WorkloadSelectors`
 * (`{"workloadSelectors": [{"kubeWorkloadMatcher": {labels, namespaces, clusters}}]}`), parsed the
 * way grpc-gateway's protojson would: both JSON and proto field names, unknown fields refused.
 */
import { createViolations, field, index, type Violation } from '../model/violations.js';
import type { WorkloadMatcher } from '../model/workload-match.js';

export type ParsedSelectors = { ok: true; selectors: WorkloadMatcher[] } | { ok: false; violations: readonly Violation[] };

export function parseGlooLogsBody(text: string): ParsedSelectors {
  const violations = createViolations();
  if (text.trim() === '') return { ok: true, selectors: [] };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    violations.add('', `the body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, violations: violations.list };
  }
  if (!isObject(body)) {
    violations.add('', 'the body must be a JSON object like {"workloadSelectors": [...]}');
    return { ok: false, violations: violations.list };
  }
  const selectors: WorkloadMatcher[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'workloadSelectors' && key !== 'workload_selectors') {
      violations.add(field('', key), 'unknown field');
      continue;
    }
    if (value === null) continue;
    if (!Array.isArray(value)) {
      violations.add(key, 'must be a list of workload selectors');
      continue;
    }
    value.forEach((item, i) => {
      const matcher = parseSelector(item, index(key, i), violations);
      if (matcher) selectors.push(matcher);
    });
  }
  return violations.ok ? { ok: true, selectors } : { ok: false, violations: violations.list };
}

function parseSelector(item: unknown, path: string, violations: ReturnType<typeof createViolations>): WorkloadMatcher | undefined {
  if (!isObject(item)) {
    violations.add(path, 'must be an object with kubeWorkloadMatcher');
    return undefined;
  }
  let matcher: WorkloadMatcher = {};
  for (const [key, value] of Object.entries(item)) {
    if (key !== 'kubeWorkloadMatcher' && key !== 'kube_workload_matcher') {
      violations.add(field(path, key), 'unknown field');
      continue;
    }
    const at = field(path, key);
    if (value === null) continue;
    if (!isObject(value)) {
      violations.add(at, 'must be an object with labels, namespaces and clusters');
      continue;
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === 'labels') {
        const labels = stringMap(v, field(at, k), violations);
        if (labels) matcher = { ...matcher, labels };
      } else if (k === 'namespaces' || k === 'clusters') {
        const list = stringList(v, field(at, k), violations);
        if (list) matcher = { ...matcher, [k]: list };
      } else {
        violations.add(field(at, k), 'unknown field');
      }
    }
  }
  return matcher;
}

function stringMap(value: unknown, path: string, violations: ReturnType<typeof createViolations>): Record<string, string> | undefined {
  if (value === null) return undefined;
  if (!isObject(value)) {
    violations.add(path, 'must be an object of label names to values');
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v;
    else violations.add(field(path, k), 'must be a string');
  }
  return out;
}

function stringList(value: unknown, path: string, violations: ReturnType<typeof createViolations>): string[] | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) {
    violations.add(path, 'must be a list of strings');
    return undefined;
  }
  value.forEach((v, i) => {
    if (typeof v !== 'string') violations.add(index(path, i), 'must be a string');
  });
  return value.filter((v): v is string => typeof v === 'string');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
