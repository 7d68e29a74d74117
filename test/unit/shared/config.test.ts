import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  bool,
  describeSpec,
  int,
  list,
  loadConfig,
  str,
} from '../../../src/shared/index.js';

const spec = {
  port: int(8000, 'port', { min: 1, max: 65535 }),
  model: str('m', 'model name'),
  upstream: { connectTimeoutMs: int(1000, 'connect timeout', { min: 1 }) },
  strategy: str('random', 'strategy', { oneOf: ['random', 'least-request'] }),
  enableLora: bool(false, 'lora'),
  tags: list([], 'tags'),
};

describe('loadConfig', () => {
  it('returns the defaults when nothing is given', () => {
    const config = loadConfig(spec, 'T', {});
    expect(config).toEqual({
      port: 8000,
      model: 'm',
      upstream: { connectTimeoutMs: 1000 },
      strategy: 'random',
      enableLora: false,
      tags: [],
    });
    expect(Object.isFrozen(config.upstream)).toBe(true);
  });

  it('layers defaults < file < env < flags', () => {
    const config = loadConfig(spec, 'T', {
      file: { port: 1, model: 'file', upstream: { connectTimeoutMs: 5 } },
      env: { INFERNODE_T_PORT: '2', INFERNODE_T_UPSTREAM_CONNECT_TIMEOUT_MS: '7' },
      flags: { port: '3', 'enable-lora': true, tags: 'a, b' },
    });
    expect(config.port).toBe(3);
    expect(config.model).toBe('file');
    expect(config.upstream.connectTimeoutMs).toBe(7);
    expect(config.enableLora).toBe(true);
    expect(config.tags).toEqual(['a', 'b']);
  });

  it('reports every problem at once with its path', () => {
    let caught: unknown;
    try {
      loadConfig(spec, 'T', {
        env: { INFERNODE_T_PORT: 'abc' },
        flags: { strategy: 'least-kv', bogus: '1', 'upstream-connect-timeout-ms': '0' },
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const issues = (caught as ConfigError).issues;
    expect(issues.map((i) => i.path).sort()).toEqual([
      '--bogus',
      'port',
      'strategy',
      'upstream.connectTimeoutMs',
    ]);
    expect(issues.find((i) => i.path === 'strategy')?.message).toContain(
      'valid: random, least-request',
    );
  });

  it('rejects a value-less flag for a non-boolean field', () => {
    expect(() => loadConfig(spec, 'T', { flags: { port: true } })).toThrow(/--port needs a value/);
  });

  it('names flags and env vars from the path', () => {
    const names = describeSpec(spec, 'T').map((f) => [f.flag, f.env]);
    expect(names).toContainEqual([
      'upstream-connect-timeout-ms',
      'INFERNODE_T_UPSTREAM_CONNECT_TIMEOUT_MS',
    ]);
    expect(names).toContainEqual(['enable-lora', 'INFERNODE_T_ENABLE_LORA']);
  });
});

describe('loadConfig hints', () => {
  it('says how to set a required value nobody set (env var and flag)', () => {
    const spec = {
      agents: {
        token: str('', 'token', {
          env: 'INFERNODE_AGENT_TOKEN',
          check: (v) => (v.length < 16 ? 'must be at least 16 characters' : undefined),
        }),
      },
    };
    const issuesOf = (env: Record<string, string>) => {
      try {
        loadConfig(spec, 'X', { env });
        return [];
      } catch (err) {
        return (err as ConfigError).issues;
      }
    };
    expect(issuesOf({})).toEqual([
      {
        path: 'agents.token',
        message: 'must be at least 16 characters (set INFERNODE_AGENT_TOKEN or --agents-token)',
      },
    ]);
    expect(issuesOf({ INFERNODE_AGENT_TOKEN: 'short' })).toEqual([
      { path: 'agents.token', message: 'must be at least 16 characters' },
    ]);
  });
});
