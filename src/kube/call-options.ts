/** Per-call options of every Kubernetes adapter method (the ports name them; adapters honour them). */
export interface KubeCallOptions {
  /** Aborts the call; the adapter also applies its own request timeout. */
  readonly signal?: AbortSignal;
}
