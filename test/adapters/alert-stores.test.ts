import { afterEach, describe, expect, it } from 'vitest';
import { reportUrl } from '../../lib/adapters/alerts/containers.js';
import { ENV } from '../../lib/declarations/tables.js';

describe('the report link of an alert', () => {
  afterEach(() => {
    delete process.env[ENV.dashboardUrl];
    delete process.env[ENV.apiUrl];
  });

  it('opens the run’s page of the dashboard when there is one, where the reader signs in', () => {
    process.env[ENV.apiUrl] = 'https://api.example.com/';
    process.env[ENV.dashboardUrl] = 'https://d111.cloudfront.net/';

    expect(reportUrl('close-2026#1')).toBe('https://d111.cloudfront.net/#/list?run=close-2026%231');
  });

  it('is the runs API’s report route without a dashboard', () => {
    process.env[ENV.apiUrl] = 'http://127.0.0.1:4000';

    expect(reportUrl('close-1')).toBe('http://127.0.0.1:4000/v1/runs/close-1/report?format=pdf');
  });
});
