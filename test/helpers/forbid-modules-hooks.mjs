/**
 * Module resolve hook (registered by forbid-modules.mjs): fails the import of any package named
 * in INFERNODE_FORBID_MODULES (comma-separated), so a test can prove a process never loads it.
 */
import process from 'node:process';

const forbidden = (process.env.INFERNODE_FORBID_MODULES ?? '').split(',').filter((m) => m !== '');

export async function resolve(specifier, context, next) {
  const hit = forbidden.find((m) => specifier === m || specifier.startsWith(`${m}/`));
  if (hit !== undefined) throw new Error(`forbidden module imported: ${specifier}`);
  return next(specifier, context);
}
