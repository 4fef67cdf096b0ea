/**
 * Tokens read from files (`--token-file`, `--auth-token-file`, a context's `token-file`), so that
 * a token lives in a mounted Secret or a 0600 file, not in shell history or the process list.
 */
import { readFileSync } from 'node:fs';

/** The file's text without the trailing newline editors and `echo` add; an empty file is an error. */
export function readSecretFile(file: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const token = text.trim();
  if (token === '') throw new Error(`${flag} ${file}: the file is empty`);
  if (/\s/.test(token)) throw new Error(`${flag} ${file}: a token is one line without spaces`);
  return token;
}
