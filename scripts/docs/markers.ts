/**
 * Generated sections live between a pair of HTML comments, so hand-written prose can sit around
 * them: `<!-- BEGIN GENERATED name (npm run docs) -->` … `<!-- END GENERATED name -->`.
 */

export function beginMarker(name: string): string {
  return `<!-- BEGIN GENERATED ${name} (npm run docs; do not edit by hand) -->`;
}

export function endMarker(name: string): string {
  return `<!-- END GENERATED ${name} -->`;
}

/** `text` with the section `name` replaced by `body`; throws when the markers are missing. */
export function replaceSection(text: string, name: string, body: string, file: string): string {
  const begin = beginMarker(name);
  const end = endMarker(name);
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    throw new Error(`${file}: no generated section "${name}"; add the lines\n${begin}\n${end}\nwhere it belongs, then run npm run docs.`);
  }
  return `${text.slice(0, from + begin.length)}\n\n${body.trimEnd()}\n\n${text.slice(to)}`;
}

/** Names of every generated section in `text`, in order. */
export function sectionNames(text: string): string[] {
  return [...text.matchAll(/<!-- BEGIN GENERATED (\S+) /g)].map((m) => m[1]!);
}

/** Prose in a table cell: pipes and angle brackets escaped (`<token>` is not an HTML tag), newlines folded. */
export function cell(text: string): string {
  return code(text).replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text inside a code span in a table cell: only pipes need escaping there. */
export function code(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
