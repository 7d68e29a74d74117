import type {
  EvictionPolicy,
  EvictionPolicyName,
  EvictionPolicyOptions,
} from './eviction-policy.js';
import { createLruPolicy } from './lru-policy.js';
import { createS3FifoPolicy } from './s3fifo-policy.js';

/** The eviction policy named `name` (`s3fifo` or `lru`). */
export function createEvictionPolicy(
  name: EvictionPolicyName,
  options: EvictionPolicyOptions,
): EvictionPolicy {
  return name === 'lru' ? createLruPolicy(options) : createS3FifoPolicy(options);
}
