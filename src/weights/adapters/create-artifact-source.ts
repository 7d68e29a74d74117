/**
 * Chooses and builds the source for a parsed artifact reference. The composition root builds
 * one {@link ArtifactSourceFactory} per process (one HTTP socket pool, one S3 client) from one
 * options object, and asks it for a source per artifact.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArtifactRef } from '../artifact.js';
import type { ArtifactSource } from '../artifact-source.js';
import type { HostPolicy } from '../host-policy.js';
import { FileArtifactSource, type FileSourceSettings } from './file-artifact-source.js';
import { HfArtifactSource, type HfSourceSettings } from './hf-artifact-source.js';
import { HttpArtifactSource } from './http-artifact-source.js';
import { HttpClient, type HttpClientSettings } from './http-client.js';
import { createS3Client, S3ArtifactSource, type S3SourceSettings } from './s3-artifact-source.js';

/** Everything the sources need, in one object. */
export interface ArtifactSourceOptions {
  /** Hosts http(s) and hub requests (and their redirects) may reach. */
  readonly hosts: HostPolicy;
  /** HTTP timeouts, redirects, sockets and name resolution for http(s) and hf. */
  readonly http?: Omit<HttpClientSettings, 'policy'>;
  /** Headers for every plain http(s) request (an Authorization header for a private server). */
  readonly httpHeaders?: Readonly<Record<string, string>>;
  /** Root directories for file:// artifacts; none: file:// is refused. */
  readonly file?: FileSourceSettings;
  readonly s3?: S3SourceSettings;
  /** Hub endpoint and token. The endpoint's host must be on `hosts`, with the hub's CDN hosts. */
  readonly hf?: HfSourceSettings;
}

/** Builds sources; `close()` frees the shared sockets. */
export interface ArtifactSourceFactory {
  /** The source for `ref`. @throws AppError WEIGHTS_PATH_ESCAPE for file:// without roots. */
  sourceFor(ref: ArtifactRef): ArtifactSource;
  close(): void;
}

/** Builds a factory whose HTTP client and S3 client are made once, on first use. */
export function createArtifactSourceFactory(options: ArtifactSourceOptions): ArtifactSourceFactory {
  let http: HttpClient | undefined;
  let s3: Promise<S3Client> | undefined;
  const httpClient = (): HttpClient =>
    (http ??= new HttpClient({ ...options.http, policy: options.hosts }));
  return {
    sourceFor(ref) {
      switch (ref.scheme) {
        case 's3':
          if (s3 === undefined) {
            s3 = createS3Client(options.s3 ?? {});
            // A client that failed to load fails each source's calls, mapped; not the process.
            s3.catch(() => undefined);
          }
          return new S3ArtifactSource(ref, s3, options.s3);
        case 'http':
        case 'https':
          return new HttpArtifactSource(ref, httpClient(), options.httpHeaders);
        case 'hf':
          return new HfArtifactSource(ref, httpClient(), options.hf);
        case 'file':
          return new FileArtifactSource(ref, options.file ?? { roots: [] });
      }
    },
    close() {
      http?.close();
      void s3?.then(
        (client) => client.destroy(),
        () => undefined,
      );
    },
  };
}

/**
 * One source for one artifact, with its own sockets (tests, the CLI's one-off pull). Prefer a
 * shared {@link createArtifactSourceFactory} in a long-lived process.
 */
export function createArtifactSource(
  ref: ArtifactRef,
  options: ArtifactSourceOptions,
): ArtifactSource {
  return createArtifactSourceFactory(options).sourceFor(ref);
}
