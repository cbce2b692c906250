import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ChatSecretSchema, type ChatSecret } from '../../core/alerts/alert-config.js';
import { ENV } from '../../declarations/tables.js';
import { secretsClient } from '../aws/aws-clients.js';
import { optionalEnv } from '../aws/env.js';
import { ConfigurationError } from '../../errors/common.js';
import { problem } from '../http/runs-request.js';

/**
 * A chat channel's webhook URL and signing secret, by the secret's name (or ARN) from the alert
 * configuration: from Secrets Manager in the cloud, cached per container for a few minutes like the
 * webhook secrets (lib/adapters/ingest/webhook-secrets.ts), so a rotated robot is picked up without a call
 * per message; locally from STOCKTALLY_CHAT_SECRETS (JSON by secret name), which `stocktally start`
 * points at the chat sink. Values are validated and never logged: errors name the secret only.
 */
export const CHAT_SECRET_TTL_MS = 5 * 60_000;

const cache = new Map<string, { value: ChatSecret; expires: number }>();

const LocalSecretsSchema = z.record(z.string(), ChatSecretSchema);

function validated(value: unknown, secret: string): ChatSecret {
  const parsed = ChatSecretSchema.safeParse(value);
  if (!parsed.success)
    throw new ConfigurationError(`chat secret ${secret}: ${problem(parsed.error, 'value')}`);
  return parsed.data;
}

function local(text: string, secret: string): ChatSecret {
  let all: z.infer<typeof LocalSecretsSchema>;
  try {
    all = LocalSecretsSchema.parse(JSON.parse(text));
  } catch {
    throw new ConfigurationError(
      `${ENV.chatSecrets} is not JSON of {"<secret>": {"webhookUrl", "signingSecret"?}}`,
    );
  }
  const found = all[secret];
  if (found === undefined) throw new ConfigurationError(`chat secret ${secret} is not in ${ENV.chatSecrets}`);
  return found;
}

export async function chatSecret(secret: string, now = performance.now()): Promise<ChatSecret> {
  const localSecrets = optionalEnv(ENV.chatSecrets);
  if (localSecrets !== undefined) return local(localSecrets, secret);
  const cached = cache.get(secret);
  if (cached !== undefined && cached.expires > now) return cached.value;
  const answer = await secretsClient().send(new GetSecretValueCommand({ SecretId: secret }));
  let value: unknown;
  try {
    value = JSON.parse(answer.SecretString ?? '');
  } catch {
    throw new ConfigurationError(
      `chat secret ${secret} is not JSON {"webhookUrl": "...", "signingSecret": "..."}`,
    );
  }
  const checked = validated(value, secret);
  cache.set(secret, { value: checked, expires: now + CHAT_SECRET_TTL_MS });
  return checked;
}

/** Forgets the cached secrets (tests). */
export function forgetChatSecrets(): void {
  cache.clear();
}
