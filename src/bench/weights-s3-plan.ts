/** What the weight bench's object-store process is asked to serve, and how to reach it. */

/** s3rver's fixed development credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** One file of the synthetic model. */
export interface BenchModelFile {
  /** Path under the model's prefix. */
  readonly path: string;
  readonly bytes: number;
}

/** The object-store child's argument. */
export interface S3ChildPlan {
  /** Temp directory of s3rver's files (removed by the parent). */
  readonly directory: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly files: readonly BenchModelFile[];
}

/** A model of `totalBytes` in `shards` safetensors shards plus a small config.json. */
export function benchModelFiles(totalBytes: number, shards: number): BenchModelFile[] {
  const per = Math.floor(totalBytes / shards);
  const name = (i: number): string =>
    `model-${String(i + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
  return [
    { path: 'config.json', bytes: 64 },
    ...Array.from({ length: shards }, (_, i) => ({
      path: name(i),
      bytes: i === shards - 1 ? totalBytes - per * (shards - 1) : per,
    })),
  ];
}
