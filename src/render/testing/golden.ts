/**
 * Golden files for rendered config: `testdata/<name>.golden.yaml`, compared as text so that any
 * change shows up in review; `UPDATE_GOLDEN=1 npx vitest run src/envoy/render` rewrites them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testdata');

export function goldenPath(name: string): string {
  return path.join(testdata, `${name}.golden.yaml`);
}

/** The golden's text and the rendered text; they are equal unless the render changed. */
export function compareGolden(name: string, value: unknown): { expected: string; actual: string } {
  const actual = stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
  const file = goldenPath(name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
  const expected = existsSync(file) ? readFileSync(file, 'utf8') : `(no golden file ${file}: run with UPDATE_GOLDEN=1)`;
  return { expected, actual };
}
