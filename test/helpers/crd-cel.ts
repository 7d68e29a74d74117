/**
 * The CRDs' CEL rules (x-kubernetes-validations) mirrored in JavaScript, because CEL cannot run
 * offline here; a rule without a mirror fails the test that meets it.
 */
type Obj = Record<string, unknown>;
const has = (o: Obj, k: string): boolean => o[k] !== undefined;
const CEL_MIRRORS: Record<string, (self: Obj) => boolean> = {
  '!has(self.minReplicas) || self.minReplicas <= self.maxReplicas': (s) =>
    !has(s, 'minReplicas') || (s.minReplicas as number) <= (s.maxReplicas as number),
  '!has(self.panicWindowSeconds) || !has(self.observeWindowSeconds) || self.panicWindowSeconds <= self.observeWindowSeconds':
    (s) =>
      !has(s, 'panicWindowSeconds') ||
      !has(s, 'observeWindowSeconds') ||
      (s.panicWindowSeconds as number) <= (s.observeWindowSeconds as number),
  'self.startTime < self.endTime': (s) => (s.startTime as string) < (s.endTime as string),
  '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas': (s) =>
    !has(s, 'minReplicas') ||
    !has(s, 'maxReplicas') ||
    (s.minReplicas as number) <= (s.maxReplicas as number),
  "self.metricSourceType != 'pod' || (has(self.protocolType) && has(self.port) && has(self.path))":
    (s) =>
      s.metricSourceType !== 'pod' || (has(s, 'protocolType') && has(s, 'port') && has(s, 'path')),
  "self.metricSourceType != 'external' || (has(self.protocolType) && has(self.endpoint) && has(self.path))":
    (s) =>
      s.metricSourceType !== 'external' ||
      (has(s, 'protocolType') && has(s, 'endpoint') && has(s, 'path')),
  "self.metricSourceType != 'resource' || self.targetMetric in ['cpu', 'memory']": (s) =>
    s.metricSourceType !== 'resource' || ['cpu', 'memory'].includes(s.targetMetric as string),
  '!has(self.progressDeadlineSeconds) || !has(self.minReadySeconds) || self.progressDeadlineSeconds > self.minReadySeconds':
    (s) =>
      !has(s, 'progressDeadlineSeconds') ||
      !has(s, 'minReadySeconds') ||
      (s.progressDeadlineSeconds as number) > (s.minReadySeconds as number),
  '!(has(self.redis) && has(self.etcd))': (s) => !(has(s, 'redis') && has(s, 'etcd')),
  'has(self.externalConnection) != has(self.runtime)': (s) =>
    has(s, 'externalConnection') !== has(s, 'runtime'),
  '(!has(self.rpm) || self.rpm > 0) && (!has(self.tpm) || self.tpm > 0)': (s) =>
    (!has(s, 'rpm') || (s.rpm as number) > 0) && (!has(s, 'tpm') || (s.tpm as number) > 0),
  '!has(self.rps) || self.rps > 0': (s) => !has(s, 'rps') || (s.rps as number) > 0,
  "self.metadata.name.matches('^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$')": (s) =>
    /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(String((s.metadata as Obj | undefined)?.name)),
  '!has(self.spec.baseModel) || self.metadata.name != self.spec.baseModel': (s) =>
    !has(s.spec as Obj, 'baseModel') ||
    (s.metadata as Obj | undefined)?.name !== (s.spec as Obj).baseModel,
  "!self.artifactURL.matches('^(huggingface|hf)://') || self.artifactURL.matches('^(huggingface|hf)://[^/]+/[^/]+')":
    (s) =>
      !/^(huggingface|hf):\/\//.test(String(s.artifactURL)) ||
      /^(huggingface|hf):\/\/[^/]+\/[^/]+/.test(String(s.artifactURL)),
};

export interface Schema {
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  'x-kubernetes-validations'?: { rule: string; message: string }[];
}

/** Messages of the CEL rules `data` breaks, walking the schema alongside it. */
export function celViolations(schema: Schema, data: unknown): string[] {
  const out: string[] = [];
  if (data === null || typeof data !== 'object') return out;
  for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
    const mirror = CEL_MIRRORS[rule];
    if (!mirror) throw new Error(`no JavaScript mirror for CEL rule ${rule}`);
    if (!Array.isArray(data) && !mirror(data as Obj)) out.push(message);
  }
  if (Array.isArray(data) && schema.items)
    for (const item of data) out.push(...celViolations(schema.items, item));
  for (const [key, sub] of Object.entries(schema.properties ?? {}))
    out.push(...celViolations(sub, (data as Obj)[key]));
  const values = schema.additionalProperties;
  if (typeof values === 'object' && !Array.isArray(data))
    for (const value of Object.values(data as Obj)) out.push(...celViolations(values, value));
  return out;
}
