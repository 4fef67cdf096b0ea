/**
 * Envoy's response flags in words, from the one flag table meshlog has
 * (`src/envoy/response-flags.ts`): `UF` is "upstream connection failure".
 */
import { responseFlags } from '../../../src/envoy/response-flags.js';

const words = new Map(responseFlags.map((f) => [f.code, f.long.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()]));

/** `UF` → "upstream connection failure"; an unknown code is returned as it is. */
export function flagWords(code: string): string {
  return words.get(code) ?? code;
}

/** `UF,URX` → "UF (upstream connection failure), URX (upstream retry limit exceeded)". */
export function flagsInWords(codes: readonly string[]): string {
  return codes.map((c) => `${c} (${flagWords(c)})`).join(', ');
}
