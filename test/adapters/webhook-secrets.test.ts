import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../lib/errors/common.js';
import { SECRET_TTL_MS, webhookSecret } from '../../lib/adapters/ingest/webhook-secrets.js';
import { ENV } from '../../lib/declarations/tables.js';

const secrets = mockClient(SecretsManagerClient);

beforeEach(() => {
  secrets.reset();
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv(ENV.webhookSecret, '');
  vi.stubEnv(ENV.wmsSecretArn, '');
  vi.stubEnv(ENV.financeSecretArn, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('webhook secrets', () => {
  it('reads each source system its own secret from Secrets Manager and caches it for a while', async () => {
    vi.stubEnv(ENV.wmsSecretArn, 'arn:wms');
    vi.stubEnv(ENV.financeSecretArn, 'arn:finance');
    secrets.on(GetSecretValueCommand, { SecretId: 'arn:wms' }).resolves({ SecretString: 'wms-secret' });
    secrets
      .on(GetSecretValueCommand, { SecretId: 'arn:finance' })
      .resolves({ SecretString: 'finance-secret' });
    const t0 = 1_000_000;

    expect(await webhookSecret('wms', t0)).toBe('wms-secret');
    expect(await webhookSecret('finance', t0)).toBe('finance-secret');
    expect(await webhookSecret('wms', t0 + SECRET_TTL_MS - 1)).toBe('wms-secret');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);

    secrets.on(GetSecretValueCommand, { SecretId: 'arn:wms' }).resolves({ SecretString: 'rotated' });
    expect(await webhookSecret('wms', t0 + SECRET_TTL_MS + 1)).toBe('rotated');
  });

  it('uses the local secret when no ARN is set', async () => {
    vi.stubEnv(ENV.webhookSecret, 'local-secret');

    expect(await webhookSecret('finance')).toBe('local-secret');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('fails naming both variables when neither is set', async () => {
    await expect(webhookSecret('wms')).rejects.toBeInstanceOf(ConfigurationError);
    await expect(webhookSecret('wms')).rejects.toThrow(
      `neither ${ENV.wmsSecretArn} nor ${ENV.webhookSecret} is set`,
    );
  });
});
