import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { WORKFLOW_CONFIG_KEY, WORKFLOW_DEFAULT } from '../../declarations/cases.js';
import { parseWorkflowConfig, type WorkflowConfig } from '../../core/cases/workflow-config.js';
import { ConfigurationError } from '../../errors/common.js';
import type { ObjectStore } from '../aws/object-store.js';

/**
 * The workflow configuration the functions work with: `config/workflow.yaml` in the data bucket
 * when one was uploaded, else the default bundled with the function (the repository's
 * config/workflow.yaml). Read again at most once a TTL (a HeadObject while the etag holds), so an
 * upload takes effect within a minute without a deployment. An uploaded document that does not
 * validate is logged with its reason and the default stays in force: a typo must not stop runs
 * from opening cases.
 */
export interface ConfigInUse {
  config: WorkflowConfig;
  /** `s3://bucket/config/workflow.yaml@etag` or the default file's path. */
  source: string;
}

const MAX_CONFIG_BYTES = 256 * 1024;

function readYaml(text: string, source: string): WorkflowConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `${source}: not YAML: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = parseWorkflowConfig(raw, source);
  if (!parsed.ok) throw new ConfigurationError(parsed.reason);
  return parsed.config;
}

/** The default's file: STOCKTALLY_WORKFLOW_DEFAULT, else config/workflow.yaml above this module or the cwd. */
export function defaultConfigPath(): string {
  const given = process.env[WORKFLOW_DEFAULT.env];
  if (given !== undefined && given.trim() !== '') return given;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, WORKFLOW_DEFAULT.path);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return join(process.cwd(), WORKFLOW_DEFAULT.path);
}

let bundled: ConfigInUse | undefined;

export function bundledDefault(): ConfigInUse {
  if (bundled === undefined) {
    const path = defaultConfigPath();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new ConfigurationError(`the default workflow configuration ${path} is missing`);
    }
    bundled = { config: readYaml(text, path), source: path };
  }
  return bundled;
}

export interface ConfigSourceOptions {
  objects: ObjectStore;
  bucket: () => string;
  ttlMs?: number;
  onInvalid?: (reason: string) => void;
  now?: () => number;
}

export class WorkflowConfigSource {
  private cached: { inUse: ConfigInUse; etag: string | undefined; checkedAt: number } | undefined;

  constructor(private readonly options: ConfigSourceOptions) {}

  async current(): Promise<ConfigInUse> {
    const now = (this.options.now ?? (() => performance.now()))();
    const ttl = this.options.ttlMs ?? 60_000;
    if (this.cached !== undefined && now - this.cached.checkedAt < ttl) return this.cached.inUse;
    const bucket = this.options.bucket();
    const etag = await this.options.objects.etagOf(bucket, WORKFLOW_CONFIG_KEY);
    if (this.cached !== undefined && etag === this.cached.etag) {
      this.cached.checkedAt = now;
      return this.cached.inUse;
    }
    const inUse = etag === undefined ? bundledDefault() : await this.uploaded(bucket, etag);
    this.cached = { inUse, etag, checkedAt: now };
    return inUse;
  }

  private async uploaded(bucket: string, etag: string): Promise<ConfigInUse> {
    const source = `s3://${bucket}/${WORKFLOW_CONFIG_KEY}@${etag}`;
    const bytes = await this.options.objects.smallBytes(
      { bucket, key: WORKFLOW_CONFIG_KEY, etag },
      MAX_CONFIG_BYTES,
    );
    if (bytes === undefined) return bundledDefault();
    try {
      if (bytes === 'too-big')
        throw new ConfigurationError(`${source}: larger than ${MAX_CONFIG_BYTES} bytes`);
      return { config: readYaml(new TextDecoder('utf-8').decode(bytes), source), source };
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      this.options.onInvalid?.(error.message);
      return bundledDefault();
    }
  }
}
