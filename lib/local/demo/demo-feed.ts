import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { BUCKET, WEBHOOK_ROUTES } from '../../declarations/tables.js';
import type { DemoSet } from './demo-set.js';
import { describeError } from '../standins/lambda-runtime.js';
import type { S3Trigger } from '../standins/s3-trigger.js';
import {
  addCounts,
  countsOf,
  ndjsonBatches,
  NO_COUNTS,
  postSigned,
  type IngestCounts,
} from '../clients/webhook-client.js';

/**
 * `stocktally start --demo`: the demo set through both ingest paths, as the outside systems would
 * send it. WMS movements go to the signed webhook as NDJSON batches; the unit table and the finance
 * entries are dropped into incoming/ and the step ends with the drop's ingest report.
 */
export interface DemoStep {
  path: 'webhook' | 's3';
  /** `POST /v1/movements`, or the object key. */
  target: string;
  file: string;
  ok: boolean;
  counts?: IngestCounts;
  /** How it went, in a few words: batches sent, or what failed. */
  note: string;
}

export interface DemoFeedOptions {
  api: string;
  webhookSecret: string;
  s3Client: S3Client;
  bucket: string;
  trigger: S3Trigger;
  demo: DemoSet;
  /** Names this feed's drops, so a repeated demo is a new drop (and counts duplicates). */
  stamp: string;
  /** How long a drop may take to be ingested. */
  timeoutMs?: number;
}

const MOVEMENTS = WEBHOOK_ROUTES.find((r) => r.source === 'wms')?.path ?? '/v1/movements';

async function sendMovements(options: DemoFeedOptions): Promise<DemoStep> {
  const file = options.demo.manifest.files.wms;
  const step: DemoStep = { path: 'webhook', target: `POST ${MOVEMENTS}`, file, ok: false, note: '' };
  try {
    const batches = ndjsonBatches(await readFile(options.demo.path('wms'), 'utf8'));
    let total = NO_COUNTS;
    for (const [i, body] of batches.entries()) {
      const { status, answer } = await postSigned({
        url: `${options.api}${MOVEMENTS}`,
        secret: options.webhookSecret,
        body,
        contentType: 'application/x-ndjson',
      });
      const counts = countsOf(answer);
      if (status !== 200 || counts === undefined) {
        step.note = `batch ${i + 1} of ${batches.length} answered ${status}: ${JSON.stringify(answer).slice(0, 200)}`;
        return step;
      }
      total = addCounts(total, counts);
    }
    step.counts = total;
    step.note = `${batches.length} signed batch${batches.length === 1 ? '' : 'es'}`;
    step.ok = true;
  } catch (error) {
    step.note = describeError(error);
  }
  return step;
}

async function drop(options: DemoFeedOptions, kind: 'uom' | 'finance'): Promise<DemoStep> {
  const file = options.demo.manifest.files[kind];
  const extension = file.slice(file.lastIndexOf('.'));
  const key = `${BUCKET.incomingPrefix}${kind}/demo-${options.stamp}${extension}`;
  const step: DemoStep = { path: 's3', target: key, file, ok: false, note: '' };
  try {
    // Listen before the object exists: the trigger may finish before PutObject has answered.
    const outcome = options.trigger.nextOutcome(key, options.timeoutMs ?? 120_000);
    await options.s3Client.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Body: await readFile(options.demo.path(kind)),
      }),
    );
    const result = await outcome;
    if (!result.ok) {
      step.note = `ingest failed after ${result.attempts} attempts: ${result.error ?? 'unknown error'}`;
      return step;
    }
    const reportKey = `${BUCKET.ingestReportPrefix}${key}.json`;
    const report = await options.s3Client.send(
      new GetObjectCommand({ Bucket: options.bucket, Key: reportKey }),
    );
    const counts = countsOf(JSON.parse((await report.Body?.transformToString()) ?? 'null'));
    if (counts === undefined) {
      step.note = `${reportKey} has no counts`;
      return step;
    }
    step.counts = counts;
    step.note = `report ${reportKey}`;
    step.ok = true;
  } catch (error) {
    step.note = describeError(error);
  }
  return step;
}

export async function feedDemo(options: DemoFeedOptions): Promise<DemoStep[]> {
  const steps = [await sendMovements(options)];
  steps.push(await drop(options, 'uom'));
  steps.push(await drop(options, 'finance'));
  return steps;
}
