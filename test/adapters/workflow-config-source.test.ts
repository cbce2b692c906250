import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAws, type Aws } from '../functions/ingest-harness.js';
import { ObjectStore } from '../../lib/adapters/aws/object-store.js';
import { defaultConfigPath, WorkflowConfigSource } from '../../lib/adapters/cases/workflow-config-source.js';
import { WORKFLOW_CONFIG_KEY } from '../../lib/declarations/cases.js';
import { BUCKET } from '../../lib/declarations/tables.js';

// Where the functions get the workflow configuration: the upload in S3, else the bundled default.
let aws: Aws;
let clock = 0;
let invalid: string[] = [];

const upload = (text: string) =>
  aws.s3.send(new PutObjectCommand({ Bucket: BUCKET.localName, Key: WORKFLOW_CONFIG_KEY, Body: text }));
const source = () =>
  new WorkflowConfigSource({
    objects: new ObjectStore(aws.s3),
    bucket: () => BUCKET.localName,
    ttlMs: 60_000,
    now: () => clock,
    onInvalid: (reason) => invalid.push(reason),
  });
const DEFAULT = readFileSync('config/workflow.yaml', 'utf8');

beforeAll(async () => {
  aws = await startAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => {
  clock = 0;
  invalid = [];
  await aws.s3.send(new DeleteObjectCommand({ Bucket: BUCKET.localName, Key: WORKFLOW_CONFIG_KEY }));
});

describe('the workflow configuration source', () => {
  it('uses the bundled default while nothing is uploaded', async () => {
    const inUse = await source().current();

    expect(inUse.source).toBe(defaultConfigPath());
    expect(inUse.config.owners.default).toBe('li.finance');
  });

  it('takes an upload within its TTL, and keeps the cached one before', async () => {
    const configs = source();
    await configs.current();
    await upload(DEFAULT.replace('default: li.finance', 'default: sun.finance'));

    clock = 59_000;
    expect((await configs.current()).config.owners.default).toBe('li.finance');
    clock = 61_000;
    const inUse = await configs.current();
    expect(inUse.config.owners.default).toBe('sun.finance');
    expect(inUse.source).toMatch(/^s3:\/\/stocktally-data\/config\/workflow\.yaml@/);
  });

  it('keeps the default in force when the upload does not validate, and says why', async () => {
    await upload(DEFAULT.replace(/from: ['"]5000['"]/, 'from: "-5"'));

    const inUse = await source().current();

    expect(inUse.source).toBe(defaultConfigPath());
    expect(invalid).toEqual([
      expect.stringMatching(
        /config\/workflow\.yaml@.*: approval\.tiers\.1\.from: must be a non-negative decimal amount/,
      ),
    ]);
  });

  it('refuses what is not YAML at all', async () => {
    await upload('owners: [unclosed');

    await source().current();

    expect(invalid).toEqual([expect.stringMatching(/not YAML/)]);
  });
});
