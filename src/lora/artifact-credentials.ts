/**
 * Turns the data of a ModelAdapter's credentials Secret (sent in `lora.load`) into what each
 * artifact source needs: S3 keys under the AWS variable names or AIBrix's lower-case ones
 * (`access_key_id` / `secret_access_key`), a Hugging Face token (`HF_TOKEN` / `token`), a bearer
 * token for a private HTTP server (`token`). Pure; values are never logged.
 */

/** Credentials by source kind; a kind absent uses the agent's own settings. */
export interface ArtifactCredentials {
  readonly s3?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly hfToken?: string;
  /** Sent as `Authorization: Bearer` with every http(s) request. */
  readonly httpBearer?: string;
}

function first(
  data: Readonly<Record<string, string>>,
  keys: readonly string[],
): string | undefined {
  for (const key of keys) {
    const v = data[key];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** The credentials a Secret's data holds; empty when it holds none the sources use. */
export function artifactCredentials(
  data: Readonly<Record<string, string>> | undefined,
): ArtifactCredentials {
  if (data === undefined) return {};
  const id = first(data, ['AWS_ACCESS_KEY_ID', 'access_key_id', 'aws_access_key_id']);
  const secret = first(data, [
    'AWS_SECRET_ACCESS_KEY',
    'secret_access_key',
    'aws_secret_access_key',
  ]);
  const session = first(data, ['AWS_SESSION_TOKEN', 'session_token', 'aws_session_token']);
  const token = first(data, ['token']);
  const hfToken = first(data, ['HF_TOKEN', 'hf_token', 'token']);
  return {
    ...(id !== undefined && secret !== undefined
      ? {
          s3: {
            accessKeyId: id,
            secretAccessKey: secret,
            ...(session === undefined ? {} : { sessionToken: session }),
          },
        }
      : {}),
    ...(hfToken === undefined ? {} : { hfToken }),
    ...(token === undefined ? {} : { httpBearer: token }),
  };
}

/** True when the credentials change nothing (the agent's own sources serve). */
export function noCredentials(c: ArtifactCredentials): boolean {
  return c.s3 === undefined && c.hfToken === undefined && c.httpBearer === undefined;
}
