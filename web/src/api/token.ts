/**
 * The API token of a server started with `--auth-token`: kept in this tab's sessionStorage only
 * (never localStorage or a cookie), so it goes when the tab closes. Views learn that a token is
 * needed, or was rejected, through `onTokenNeeded`.
 */

const key = 'meshlog.token';

export type TokenState = 'none-needed' | 'needed' | 'rejected';

const listeners = new Set<(state: TokenState) => void>();
let state: TokenState = 'none-needed';

export function token(): string | null {
  return sessionStorage.getItem(key);
}

export function setToken(value: string): void {
  sessionStorage.setItem(key, value);
  setState('none-needed');
}

/** Called on a 401: the server wants a token, or did not accept the one we sent. */
export function tokenRefused(sentOne: boolean): void {
  if (sentOne) sessionStorage.removeItem(key);
  setState(sentOne ? 'rejected' : 'needed');
}

export function tokenState(): TokenState {
  return state;
}

export function onTokenState(listener: (state: TokenState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setState(next: TokenState): void {
  if (next === state) return;
  state = next;
  for (const l of listeners) l(next);
}
