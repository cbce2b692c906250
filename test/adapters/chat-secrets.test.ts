import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHAT_SECRET_TTL_MS, chatSecret, forgetChatSecrets } from '../../lib/adapters/alerts/chat-secrets.js';
import { ConfigurationError } from '../../lib/errors/common.js';
import { ENV } from '../../lib/declarations/tables.js';

// Secrets Manager has no stand-in here: its answers are mocked.
const secrets = mockClient(SecretsManagerClient);
const ROBOT = {
  webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=t0ken',
  signingSecret: 'SECabc',
};

beforeEach(() => {
  secrets.reset();
  forgetChatSecrets();
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv(ENV.chatSecrets, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('chat secrets', () => {
  it('are read from Secrets Manager by the name the configuration gives, and cached for a while', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'stocktally/alerts/ops' })
      .resolves({ SecretString: JSON.stringify(ROBOT) });
    const t0 = 1_000_000;

    expect(await chatSecret('stocktally/alerts/ops', t0)).toEqual(ROBOT);
    expect(await chatSecret('stocktally/alerts/ops', t0 + CHAT_SECRET_TTL_MS - 1)).toEqual(ROBOT);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    const rotated = { ...ROBOT, signingSecret: 'SECnew' };
    secrets
      .on(GetSecretValueCommand, { SecretId: 'stocktally/alerts/ops' })
      .resolves({ SecretString: JSON.stringify(rotated) });
    expect(await chatSecret('stocktally/alerts/ops', t0 + CHAT_SECRET_TTL_MS + 1)).toEqual(rotated);
  });

  it('refuse a secret that is not the expected JSON, naming the secret and never its value', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'plain' })
      .resolves({ SecretString: 'https://hooks.example/x?token=s3cret' });
    secrets
      .on(GetSecretValueCommand, { SecretId: 'nourl' })
      .resolves({ SecretString: '{"webhookUrl":"ftp://x/s3cret"}' });

    const plain = chatSecret('plain');
    await expect(plain).rejects.toBeInstanceOf(ConfigurationError);
    await expect(plain).rejects.toThrow('chat secret plain is not JSON');
    const noUrl = chatSecret('nourl');
    await expect(noUrl).rejects.toThrow('chat secret nourl: webhookUrl: must be an http(s) URL');
    await expect(noUrl).rejects.not.toThrow(/s3cret/);
  });

  it('come from STOCKTALLY_CHAT_SECRETS locally, without Secrets Manager', async () => {
    vi.stubEnv(ENV.chatSecrets, JSON.stringify({ 'stocktally/alerts/ops': ROBOT }));

    expect(await chatSecret('stocktally/alerts/ops')).toEqual(ROBOT);
    await expect(chatSecret('stocktally/alerts/other')).rejects.toThrow(
      `chat secret stocktally/alerts/other is not in ${ENV.chatSecrets}`,
    );
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
