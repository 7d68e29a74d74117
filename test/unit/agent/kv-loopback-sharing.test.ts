import { describe, expect, it } from 'vitest';
import { loopbackSharingProblem } from '../../../src/agent/kv-wiring.js';
import { testKvConfig } from '../../helpers/agent-kv.js';

describe('loopbackSharingProblem', () => {
  it('is quiet for a one-machine cluster: loopback listen, loopback URL (infernode up)', () => {
    expect(loopbackSharingProblem(testKvConfig({ host: '127.0.0.1' }), 'node-a')).toBeUndefined();
    expect(
      loopbackSharingProblem(testKvConfig({ host: '::1', advertiseHost: 'localhost' }), 'node-a'),
    ).toBeUndefined();
  });

  it('names the advertised host peers cannot reach when only loopback listens', () => {
    const problem = loopbackSharingProblem(
      testKvConfig({ host: '127.0.0.1', advertiseHost: '10.0.0.7' }),
      'node-a',
    );
    expect(problem).toContain('10.0.0.7');
    expect(problem).toContain('127.0.0.1');
  });

  it('is quiet when the store is not shared, or listens beyond loopback', () => {
    expect(
      loopbackSharingProblem(
        testKvConfig({ host: '127.0.0.1', advertiseHost: '10.0.0.7', shared: false }),
        'node-a',
      ),
    ).toBeUndefined();
    expect(loopbackSharingProblem(testKvConfig({ host: '0.0.0.0' }), 'node-a')).toBeUndefined();
  });
});
