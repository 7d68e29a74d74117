import { describe, expect, it } from 'vitest';
import { artifactCredentials, noCredentials } from '../../../src/lora/artifact-credentials.js';

describe('artifact credentials from a Secret', () => {
  it('reads S3 keys under the AWS names', () => {
    expect(
      artifactCredentials({
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 's',
        AWS_SESSION_TOKEN: 't',
      }),
    ).toEqual({ s3: { accessKeyId: 'id', secretAccessKey: 's', sessionToken: 't' } });
  });

  it('reads AIBrix-style lower-case S3 keys', () => {
    expect(artifactCredentials({ access_key_id: 'id', secret_access_key: 's' }).s3).toEqual({
      accessKeyId: 'id',
      secretAccessKey: 's',
    });
  });

  it('needs both S3 keys', () => {
    expect(artifactCredentials({ AWS_ACCESS_KEY_ID: 'id' })).toEqual({});
  });

  it('reads a hub token and an HTTP bearer token', () => {
    expect(artifactCredentials({ HF_TOKEN: 'hf' })).toEqual({ hfToken: 'hf' });
    expect(artifactCredentials({ token: 'tk' })).toEqual({ hfToken: 'tk', httpBearer: 'tk' });
  });

  it('ignores blank values and unknown keys', () => {
    const c = artifactCredentials({ HF_TOKEN: '  ', other: 'x' });
    expect(c).toEqual({});
    expect(noCredentials(c)).toBe(true);
    expect(noCredentials(artifactCredentials({ token: 'x' }))).toBe(false);
  });
});
