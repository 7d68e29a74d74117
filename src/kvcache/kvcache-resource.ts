/**
 * The KVCache resource (AIBrix's spec field names; reference/aibrix.md §7): a distributed KV
 * cache deployment (metadata store, cache nodes) and its status.
 */
import type { Condition, TypedResource } from '../discovery/index.js';

/** How a KVCache component runs (replicas, image, env, resources, or a full pod template). */
export interface KVCacheRuntimeSpec {
  readonly replicas?: number;
  readonly image?: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly resources?: Readonly<Record<string, unknown>>;
  readonly template?: Readonly<Record<string, unknown>>;
}

/** A metadata store: an external one, or one the controller runs. */
export interface KVCacheMetadataStore {
  readonly externalConnection?: {
    readonly address: string;
    readonly passwordSecretRef?: { readonly name: string; readonly key?: string };
  };
  readonly runtime?: KVCacheRuntimeSpec;
}

export interface KVCacheSpec {
  /** Default `distributed`. */
  readonly mode?: 'centralized' | 'distributed';
  readonly metadata?: {
    readonly redis?: KVCacheMetadataStore;
    readonly etcd?: KVCacheMetadataStore;
  };
  readonly cache?: KVCacheRuntimeSpec;
  readonly watcher?: KVCacheRuntimeSpec;
  readonly service?: {
    readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
    readonly ports?: readonly {
      readonly name?: string;
      readonly port: number;
      readonly targetPort?: number | string;
      readonly protocol?: string;
    }[];
  };
}

export interface KVCacheStatus {
  /** Ready cache replicas (AIBrix names the field `current`). */
  readonly current?: number;
  /** Per-node L1 store usage (infernode's addition; kvcache-status.ts). */
  readonly nodes?: readonly {
    readonly node: string;
    readonly budgetBytes?: number;
    readonly usedBytes?: number;
    readonly blocks?: number;
    readonly shared?: boolean;
    readonly lmcacheUrl?: string;
  }[];
  readonly conditions?: readonly Condition[];
}

/** A KVCache object. */
export type KVCache = TypedResource<'KVCache', KVCacheSpec, KVCacheStatus>;
