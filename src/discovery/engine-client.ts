/**
 * Resolves an engine's connection settings (EngineConnection) into what an HTTP client needs:
 * TLS options and the `Authorization` header. The agent's scrapes and the gateway's upstream
 * calls use the same resolution, so both reach an engine the same way. Secrets are read from the
 * referenced environment variable or file once and cached (bounded); a missing one throws, so the
 * caller fails that call with a clear message rather than sending no key.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../shared/index.js';
import type { EngineConnection } from './cluster-source.js';

/** TLS options for `https.request` / `https.Agent`. */
export interface EngineTlsOptions {
  readonly ca?: string;
  readonly rejectUnauthorized: boolean;
}

/** What a client sends to reach one engine. */
export interface EngineClientOptions {
  readonly tls: EngineTlsOptions;
  /** `Bearer <key>` when the engine has an API key; never the gateway client's own header. */
  readonly authorization: string | undefined;
  /** Stable key of the TLS options, for pooling agents per trust setting. */
  readonly tlsKey: string;
}

const PLAIN: EngineClientOptions = Object.freeze({
  tls: Object.freeze({ rejectUnauthorized: true }),
  authorization: undefined,
  tlsKey: 'default',
});

/** Resolved settings by connection; engines are few, the bound only guards against churn. */
const cache = new Map<string, EngineClientOptions>();
const MAX_CACHED = 1024;

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `cannot read ${what} file ${path}`, { cause: err });
  }
}

function apiKeyOf(c: EngineConnection): string | undefined {
  if (c.apiKeyEnv !== undefined) {
    const value = process.env[c.apiKeyEnv];
    if (value === undefined || value === '')
      throw new AppError('CONFIG_INVALID', `engine API key variable ${c.apiKeyEnv} is not set`);
    return value.trim();
  }
  if (c.apiKeyFile !== undefined) return readSecretFile(c.apiKeyFile, 'engine API key').trim();
  return undefined;
}

/** Client options for an engine; throws AppError CONFIG_INVALID when a referenced secret is missing. */
export function engineClientOptions(connection: EngineConnection | undefined): EngineClientOptions {
  if (connection === undefined) return PLAIN;
  const key = JSON.stringify(connection);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const apiKey = apiKeyOf(connection);
  const resolved: EngineClientOptions = {
    tls: {
      ...(connection.caFile === undefined
        ? {}
        : { ca: readSecretFile(connection.caFile, 'engine CA') }),
      rejectUnauthorized: connection.insecureSkipVerify !== true,
    },
    authorization: apiKey === undefined ? undefined : `Bearer ${apiKey}`,
    tlsKey: `${connection.caFile ?? ''}|${String(connection.insecureSkipVerify === true)}`,
  };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, resolved);
  return resolved;
}
