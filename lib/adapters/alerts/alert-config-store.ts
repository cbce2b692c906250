import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AlertConfig } from '../../core/alerts/alert-config.js';
import { AlertConfigError, parseAlertConfigText } from './alert-config-document.js';
import { ConfigurationError } from '../../errors/common.js';

/**
 * The alert routing the notify function reads at run time: s3://<data bucket>/config/alerts.yaml,
 * deployed there by the stack from the same file its email subscriptions and secret grants come
 * from. Kept per container for a few minutes, so a run does not read it twice and an edit is seen
 * by the next runs. A missing or invalid document is a ConfigurationError naming the problem.
 */
export const ALERT_CONFIG_TTL_MS = 5 * 60_000;

export class AlertConfigStore {
  private cached: { config: AlertConfig; expires: number } | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: () => string,
    private readonly key: string,
  ) {}

  async load(now: number = performance.now()): Promise<AlertConfig> {
    if (this.cached !== undefined && this.cached.expires > now) return this.cached.config;
    const source = `s3://${this.bucket()}/${this.key}`;
    let text: string;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket(), Key: this.key }));
      text = (await answer.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') {
        throw new ConfigurationError(
          `the alert configuration ${source} does not exist; deploy config/alerts.yaml`,
        );
      }
      throw error;
    }
    try {
      const config = parseAlertConfigText(text, source);
      this.cached = { config, expires: now + ALERT_CONFIG_TTL_MS };
      return config;
    } catch (error) {
      if (error instanceof AlertConfigError) throw new ConfigurationError(error.message, { cause: error });
      throw error;
    }
  }
}
