import { describe, expect, it } from 'vitest';
import {
  parseS3Request,
  planObjectAnswer,
  readThroughAuthProblem,
  type ReadThroughConfig,
} from '../../../src/weights/index.js';

const op = (method: string, host: string, target: string, domain = '') => {
  const parsed = parseS3Request(method, host, target, domain);
  return parsed.ok ? parsed.request.operation : parsed.error.code;
};

describe('parseS3Request', () => {
  it('reads path-style objects, listings and bucket operations', () => {
    expect(op('GET', '10.0.0.7:9102', '/models/llama/a%20b.json')).toEqual({
      op: 'get-object',
      bucket: 'models',
      key: 'llama/a b.json',
    });
    expect(op('HEAD', 'h', '/models/k')).toEqual({ op: 'head-object', bucket: 'models', key: 'k' });
    expect(op('GET', 'h', '/models?list-type=2&prefix=a/')).toEqual({
      op: 'list-objects-v2',
      bucket: 'models',
    });
    expect(op('GET', 'h', '/models/?list-type=2')).toEqual({
      op: 'list-objects-v2',
      bucket: 'models',
    });
    expect(op('HEAD', 'h', '/models')).toEqual({ op: 'head-bucket', bucket: 'models' });
    expect(op('GET', 'h', '/models?location')).toEqual({
      op: 'get-bucket-location',
      bucket: 'models',
    });
  });

  it('reads virtual-host style only under the configured domain', () => {
    expect(op('GET', 'models.agent.local:9102', '/llama/x', 'agent.local')).toEqual({
      op: 'get-object',
      bucket: 'models',
      key: 'llama/x',
    });
    expect(op('GET', 'models.agent.local:9102', '/llama/x')).toEqual({
      op: 'get-object',
      bucket: 'llama',
      key: 'x',
    });
  });

  it('refuses writes, ListBuckets, v1 listings and bad targets', () => {
    expect(op('PUT', 'h', '/models/k')).toBe('MethodNotAllowed');
    expect(op('DELETE', 'h', '/models/k')).toBe('MethodNotAllowed');
    expect(op('GET', 'h', '/')).toBe('NotImplemented');
    expect(op('GET', 'h', '/models')).toBe('NotImplemented');
    expect(op('GET', 'h', '/models/%E0%A4%A')).toBe('InvalidRequest');
    expect(op('GET', 'h', 'http://x/models/k')).toBe('InvalidRequest');
  });
});

describe('planObjectAnswer', () => {
  const object = { key: 'k', size: 100, etag: 'abc', lastModifiedMs: 0 };

  it('answers 200, 206 and 416 with the headers S3 sends', () => {
    const whole = planObjectAnswer(object, {});
    expect(whole).toMatchObject({ kind: 'body', status: 200, range: { start: 0, end: 100 } });
    expect(whole.headers).toMatchObject({
      etag: '"abc"',
      'content-length': '100',
      'accept-ranges': 'bytes',
    });
    const part = planObjectAnswer(object, { range: 'bytes=10-19' });
    expect(part).toMatchObject({ status: 206, range: { start: 10, end: 20 } });
    expect(part.headers).toMatchObject({
      'content-length': '10',
      'content-range': 'bytes 10-19/100',
    });
    const past = planObjectAnswer(object, { range: 'bytes=100-' });
    expect(past.kind === 'error' && past.error.code).toBe('InvalidRange');
    expect(past.headers['content-range']).toBe('bytes */100');
  });

  it('honours If-Match and If-None-Match', () => {
    expect(planObjectAnswer(object, { ifMatch: '"abc"', range: 'bytes=0-0' })).toMatchObject({
      status: 206,
    });
    const changed = planObjectAnswer(object, { ifMatch: '"other"' });
    expect(changed.kind === 'error' && changed.error.code).toBe('PreconditionFailed');
    expect(planObjectAnswer(object, { ifNoneMatch: '"abc"' })).toMatchObject({ status: 304 });
  });

  it('serves part 1 as the whole object and refuses other parts', () => {
    expect(planObjectAnswer(object, { partNumber: '1' })).toMatchObject({
      status: 206,
      range: { start: 0, end: 100 },
    });
    const two = planObjectAnswer(object, { partNumber: '2' });
    expect(two.kind === 'error' && two.error.code).toBe('InvalidPartNumber');
  });
});

describe('readThroughAuthProblem', () => {
  const base: ReadThroughConfig = {
    host: '127.0.0.1',
    port: 0,
    accessKeyId: '',
    secretAccessKey: '',
    virtualHostDomain: '',
    maxConnections: 1,
    firstByteTimeoutMs: 1,
    chunkIdleTimeoutMs: 1,
  };
  it('allows anonymous reads on loopback only, and keys only in pairs', () => {
    expect(readThroughAuthProblem(base)).toBeUndefined();
    expect(readThroughAuthProblem({ ...base, host: '0.0.0.0' })).toContain('loopback');
    expect(
      readThroughAuthProblem({ ...base, host: '0.0.0.0', accessKeyId: 'a', secretAccessKey: 's' }),
    ).toBeUndefined();
    expect(readThroughAuthProblem({ ...base, accessKeyId: 'a' })).toContain('together');
  });
});
