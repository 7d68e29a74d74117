/**
 * The template hash that names a fleet revision (Kubernetes' pod-template-hash): FNV-1a 32 of
 * the template in canonical JSON (keys sorted, so key order never starts a rollout) plus the
 * collision count, written in Kubernetes' safe alphabet (no vowels, so never a word). Pure.
 */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The hash label value of `template` (a label value: at most 10 safe characters). */
export function templateHash(template: unknown, collisionCount = 0): string {
  let n = fnv1a32(`${canonicalJson(template)}#${collisionCount}`);
  let out = '';
  do {
    out += SAFE_ALPHABET.charAt(n % SAFE_ALPHABET.length);
    n = Math.floor(n / SAFE_ALPHABET.length);
  } while (n > 0);
  return out;
}
