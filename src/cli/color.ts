/**
 * Colour for the CLI's output: whether to use it (`--color`, then `NO_COLOR` and `FORCE_COLOR` as
 * no-color.org and most tools read them, then whether stdout is a terminal), and how: status by
 * class, failures in red, and one colour per workload picked by a hash of its name, as stern does,
 * so the same workload has the same colour in every line and every run.
 */

export type ColorWhen = 'auto' | 'always' | 'never';

export interface Paint {
  dim(text: string): string;
  error(text: string): string;
  status(code: number): string;
  workload(name: string): string;
}

/** The flag wins; with `auto`, NO_COLOR (any non-empty value) turns it off, FORCE_COLOR (not `0`/`false`) on, else a terminal decides. */
export function useColor(when: ColorWhen, isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (when !== 'auto') return when === 'always';
  if (env['NO_COLOR']) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY === true;
}

/** No red (failures) and no dim (times) among workload colours. */
const workloadColors = [36, 32, 35, 33, 34, 96, 92, 95, 93, 94];

const sgr = (code: number | string, text: string) => `\u001b[${code}m${text}\u001b[0m`;

export function workloadColor(name: string): number {
  // FNV-1a: stable across runs and machines, unlike a Map's order.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return workloadColors[hash % workloadColors.length]!;
}

export const plain: Paint = {
  dim: (t) => t,
  error: (t) => t,
  status: (code) => String(code || '-'),
  workload: (t) => t,
};

export const colored: Paint = {
  dim: (t) => sgr(2, t),
  error: (t) => sgr(31, t),
  status: (code) => sgr(code >= 500 || code === 0 ? 31 : code >= 400 ? 33 : 32, String(code || '-')),
  workload: (t) => (t === '-' ? t : sgr(workloadColor(t), t)),
};

export function paintFor(color: boolean): Paint {
  return color ? colored : plain;
}
