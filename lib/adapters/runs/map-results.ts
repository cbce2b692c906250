import { z } from 'zod';
import {
  PartitionResultItemSchema,
  splitResults,
  SummarizeRunEventSchema,
  type FailedPartitionItem,
  type ReconcilePartitionOutput,
  type SummarizeRunInput,
} from '../../core/runs/run-events.js';
import { InvalidRunInputError } from '../../errors/runs.js';
import type { ObjectStore } from '../aws/object-store.js';
import { taskInput } from './run-task-input.js';

/**
 * SummarizeRun's input in any of its forms (lib/core/runs/run-events.ts SummarizeRunEvent), made into
 * one: after a Distributed Map, the results are read back from the Map run's manifest.json and the
 * result files it lists (ResultWriter, transformation NONE: each child's Output is a JSON string; a
 * child execution that failed as a whole is counted as its partition's failure).
 */
const MAX_RESULT_BYTES = 256 * 1024 * 1024;

const ManifestSchema = z.object({
  ResultFiles: z.record(z.string(), z.array(z.object({ Key: z.string() }))),
});

const ChildSchema = z.object({
  Input: z.string().optional(),
  Output: z.string().optional(),
  Error: z.string().optional(),
  Cause: z.string().optional(),
});

async function readJson(objects: ObjectStore, bucket: string, key: string): Promise<unknown> {
  const etag = await objects.etagOf(bucket, key);
  const bytes =
    etag === undefined ? undefined : await objects.smallBytes({ bucket, key, etag }, MAX_RESULT_BYTES);
  if (bytes === undefined || bytes === 'too-big') {
    throw new InvalidRunInputError(`s3://${bucket}/${key}: ${bytes === 'too-big' ? 'too big' : 'not found'}`);
  }
  return JSON.parse(new TextDecoder('utf-8').decode(bytes)) as unknown;
}

function childItem(
  child: z.infer<typeof ChildSchema>,
  status: string,
): ReconcilePartitionOutput | FailedPartitionItem {
  if (status === 'SUCCEEDED' && child.Output !== undefined) {
    return taskInput(PartitionResultItemSchema, JSON.parse(child.Output), 'Map result');
  }
  const input = z.object({ partition: z.int().min(0) }).safeParse(JSON.parse(child.Input ?? '{}'));
  if (!input.success) throw new InvalidRunInputError(`a ${status} Map child names no partition`);
  return {
    failed: true,
    partition: input.data.partition,
    error: child.Error ?? `States.${status}`,
    ...(child.Cause === undefined ? {} : { cause: child.Cause }),
  };
}

export async function summarizeInput(event: unknown, objects: () => ObjectStore): Promise<SummarizeRunInput> {
  const input = taskInput(SummarizeRunEventSchema, event, 'SummarizeRun');
  if ('results' in input) return { runId: input.runId, ...splitResults(input.results, input.failures) };
  const { Bucket, Key } = input.resultWriterDetails;
  const manifest = taskInput(ManifestSchema, await readJson(objects(), Bucket, Key), 'Map manifest');
  const items: (ReconcilePartitionOutput | FailedPartitionItem)[] = [];
  for (const [status, files] of Object.entries(manifest.ResultFiles)) {
    for (const file of files) {
      const children = taskInput(
        z.array(ChildSchema),
        await readJson(objects(), Bucket, file.Key),
        'Map results',
      );
      for (const child of children) items.push(childItem(child, status));
    }
  }
  return { runId: input.runId, ...splitResults(items) };
}
