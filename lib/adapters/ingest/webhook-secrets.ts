import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Source } from '../../core/records/records.js';
import { ENV } from '../../declarations/tables.js';
import { secretsClient } from '../aws/aws-clients.js';
import { optionalEnv } from '../aws/env.js';
import { ConfigurationError } from '../../errors/common.js';

/**
 * The webhook secret of each source system: from Secrets Manager in the cloud (the ARN in
 * STOCKTALLY_WMS_SECRET_ARN / STOCKTALLY_FINANCE_SECRET_ARN, cached per container for a few
 * minutes so a rotation is picked up without a call per request), else STOCKTALLY_WEBHOOK_SECRET
 * (local). The secret string is used as it is stored.
 */
export const SECRET_TTL_MS = 5 * 60_000;

const cache = new Map<string, { value: string; expires: number }>();

export async function webhookSecret(source: Source, now = performance.now()): Promise<string> {
  const arnVariable = source === 'wms' ? ENV.wmsSecretArn : ENV.financeSecretArn;
  const arn = optionalEnv(arnVariable);
  if (arn === undefined) {
    const local = optionalEnv(ENV.webhookSecret);
    if (local === undefined) {
      throw new ConfigurationError(`neither ${arnVariable} nor ${ENV.webhookSecret} is set`);
    }
    return local;
  }
  const cached = cache.get(arn);
  if (cached !== undefined && cached.expires > now) return cached.value;
  const answer = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
  const value = answer.SecretString;
  if (value === undefined || value === '') {
    throw new ConfigurationError(`the secret in ${arnVariable} has no SecretString`);
  }
  cache.set(arn, { value, expires: now + SECRET_TTL_MS });
  return value;
}
