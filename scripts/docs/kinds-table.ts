/**
 * The resource kinds table, read from `src/api/kinds.ts`.
 */
import type { KindDefinition } from '../../src/api/types.js';

const scopes = {
  namespaced: 'namespaced (`metadata.namespace`, default `default`)',
  mesh: 'mesh (label `kuma.io/mesh` or universal `mesh`, default `default`)',
  global: 'global (no namespace, no mesh)',
} as const;

export function kindsTable(kinds: readonly KindDefinition[]): string {
  const lines = [
    '| kind | apiVersion (first is the one meshlog writes) | scope | plural (CRD name, `delete`, `?kind=`) | universal fields at the top level |',
    '|---|---|---|---|---|',
  ];
  for (const k of kinds) {
    const versions = k.apiVersions.map((v) => `\`${v}\``).join(', ');
    const universal = k.universalSpecFields?.length ? k.universalSpecFields.map((f) => `\`${f}\``).join(', ') : '—';
    lines.push(`| \`${k.kind}\` | ${versions} | ${scopes[k.scope]} | \`${k.plural}\` | ${universal} |`);
  }
  return lines.join('\n');
}
