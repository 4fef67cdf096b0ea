/**
 * `--time-format`, with hubble's names (Go's layout names) for the same layouts. Times are always
 * printed in UTC, whatever the machine's zone, so that lines from anywhere line up.
 */

export const timeFormats = ['StampMilli', 'RFC3339', 'RFC3339Milli', 'RFC3339Micro', 'RFC3339Nano', 'RFC1123Z'] as const;
export type TimeFormat = (typeof timeFormats)[number];

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `text` is an RFC 3339 time in UTC with up to nine fraction digits (proto3 JSON's Timestamp). */
export function formatTime(text: string | undefined, format: TimeFormat): string {
  const m = text ? /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(text) : null;
  if (!m) return text ?? '-';
  const [, date, clock, fraction = ''] = m;
  const digits = fraction.padEnd(9, '0');
  const d = new Date(`${date}T${clock}Z`);
  const two = (n: number) => String(n).padStart(2, '0');
  switch (format) {
    case 'RFC3339':
      return `${date}T${clock}Z`;
    case 'RFC3339Milli':
      return `${date}T${clock}.${digits.slice(0, 3)}Z`;
    case 'RFC3339Micro':
      return `${date}T${clock}.${digits.slice(0, 6)}Z`;
    case 'RFC3339Nano':
      return `${date}T${clock}.${digits}Z`;
    case 'StampMilli':
      return `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${clock}.${digits.slice(0, 3)}`;
    case 'RFC1123Z':
      return `${days[d.getUTCDay()]}, ${two(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${clock} +0000`;
  }
}
