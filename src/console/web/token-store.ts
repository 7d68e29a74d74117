/**
 * The control API token the page sends as a bearer token. Kept in sessionStorage: it survives a
 * reload of the tab but not the browser session, and never goes into a URL.
 */
const KEY = 'infernode.console.token';

/** The stored token, or null when none is set (or storage is unavailable). */
export function loadToken(): string | null {
  try {
    const value = sessionStorage.getItem(KEY);
    return value === null || value === '' ? null : value;
  } catch {
    return null;
  }
}

/** Stores the token; an empty string clears it. */
export function saveToken(token: string): void {
  try {
    if (token === '') sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // Storage can be disabled (private modes); the token then lives only in this page.
  }
}
