import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  chatChannels,
  emailChannels,
  parseAlertConfig,
  routeOf,
} from '../../../lib/core/alerts/alert-config.js';
import { CONFIG_DOC } from './alert-factories.js';

describe('the alert configuration', () => {
  it('accepts the sample document shipped in config/alerts.yaml', () => {
    const parsed = parseAlertConfig(parse(readFileSync('config/alerts.yaml', 'utf8')));

    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(chatChannels(parsed.config).map((c) => `${c.name} ${c.type} ${c.secret}`)).toEqual([
      'ops-dingtalk dingtalk stocktally/alerts/ops-dingtalk',
      'shanghai-wecom wecom stocktally/alerts/shanghai-wecom',
      'finance-slack slack stocktally/alerts/finance-slack',
    ]);
    expect(emailChannels(parsed.config).map((c) => [c.name, c.addresses, c.severities])).toEqual([
      ['inventory-email', ['inventory-control@example.com'], ['RED', 'YELLOW', 'GREEN']],
      ['controller-email', ['financial-controller@example.com'], ['RED']],
    ]);
  });

  it('gives a warehouse its own route, field by field over the default, and the default to the rest', () => {
    const parsed = parseAlertConfig(CONFIG_DOC);
    if (!parsed.ok) throw new Error(parsed.errors.join());

    const shanghai = routeOf(parsed.config, 'WH-上海-02');
    const other = routeOf(parsed.config, 'WH-99');

    expect(shanghai.channels).toEqual(['wecom']);
    expect(shanghai.owners).toEqual(['王芳']);
    expect(shanghai.thresholds).toEqual({ RED: 30_000_000_000n, YELLOW: 5_000_000_000n, GREEN: 0n });
    expect(other.channels).toEqual(['ding', 'slack', 'mail', 'boss']);
  });

  it('defaults thresholds to 0 (everything) and limits to 20', () => {
    const parsed = parseAlertConfig({
      channels: { s: { type: 'slack', secret: 'x' } },
      default: { channels: ['s'] },
    });
    if (!parsed.ok) throw new Error(parsed.errors.join());

    expect(parsed.config.default.thresholds).toEqual({ RED: 0n, YELLOW: 0n, GREEN: 0n });
    expect(parsed.config.limits).toEqual({ redAlertsPerRun: 20, digestItems: 20 });
  });

  it('refuses a document with bad fields, naming each field and the reason', () => {
    const parsed = parseAlertConfig({
      version: 2,
      channels: {
        'bad name': { type: 'slack', secret: 'x' },
        fax: { type: 'fax' },
        mail: { type: 'email', addresses: ['not-an-address'] },
        hook: { type: 'wecom', secret: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc' },
      },
      default: { thresholds: { RED: '-1', YELLOW: '1,000' } },
      extra: true,
    });

    expect(parsed).toEqual({
      ok: false,
      errors: [
        'version: must be 1',
        'channels.bad name: a channel name is 1-64 letters, digits, - or _',
        'channels.fax.type: type must be one of dingtalk, wecom, slack, email',
        'channels.mail.addresses.0: is not an email address',
        'channels.hook.secret: must be a Secrets Manager secret name or ARN (the webhook URL lives in the secret)',
        'default.thresholds.RED: must not be negative',
        'default.thresholds.YELLOW: is not a decimal number: "1,000"',
        'extra: is not a field here',
      ],
    });
  });

  it('refuses a route that names a channel not declared', () => {
    const parsed = parseAlertConfig({
      channels: { s: { type: 'slack', secret: 'x' } },
      default: { channels: ['s', 'ghost'] },
      warehouses: { 'WH-1': { channels: ['phantom'] } },
    });

    expect(parsed).toEqual({
      ok: false,
      errors: [
        'default.channels: names ghost, which is not under channels',
        'warehouses.WH-1.channels: names phantom, which is not under channels',
      ],
    });
  });
});
