/**
 * How numbers and times read on screen: local wall-clock times with milliseconds, durations in
 * ms, rates and percentages with as many digits as help.
 */

export function clock(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function dateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${clock(ms)}`;
}

export function millis(ms: number | null): string {
  if (ms === null) return '–';
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function rate(perSecond: number): string {
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(2);
}

export function percent(fraction: number): string {
  if (fraction === 0) return '0%';
  return fraction < 0.001 ? '<0.1%' : `${(fraction * 100).toFixed(1)}%`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function ago(ms: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}
