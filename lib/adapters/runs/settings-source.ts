import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SETTINGS_CONFIG_KEY, SETTINGS_DEFAULT } from '../../declarations/runs.js';
import {
  parseSettingsConfig,
  runSettingsOf,
  type RunSettings,
  type SettingsConfig,
} from '../../core/reconcile/settings-config.js';
import { ConfigurationError } from '../../errors/common.js';
import type { ObjectStore } from '../aws/object-store.js';

/**
 * The runs' settings (config/settings.yaml): the document uploaded to the data bucket when there is
 * one, else the default bundled beside the function (the repository's file). Read once per run, by
 * ListPartitions, which records them on the run for its tasks. Unlike the workflow configuration, a
 * document that does not validate is not replaced by the default: the run is refused
 * (ConfigurationError naming the document and each bad field), since judging a period by thresholds
 * other than the ones finance set would be worse than not judging it yet.
 */
const MAX_SETTINGS_BYTES = 64 * 1024;

/** Every scalar read as its text (YAML's failsafe schema): decimals never pass through a float. */
function readYaml(text: string, source: string): SettingsConfig {
  let raw: unknown;
  try {
    raw = parse(text, { schema: 'failsafe' });
  } catch (error) {
    throw new ConfigurationError(
      `${source}: not YAML: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = parseSettingsConfig(raw, source);
  if (!parsed.ok) throw new ConfigurationError(parsed.reason);
  return parsed.config;
}

/** The default's file: STOCKTALLY_SETTINGS_DEFAULT, else config/settings.yaml above this module or the cwd. */
export function defaultSettingsPath(): string {
  const given = process.env[SETTINGS_DEFAULT.env];
  if (given !== undefined && given.trim() !== '') return given;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, SETTINGS_DEFAULT.path);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return join(process.cwd(), SETTINGS_DEFAULT.path);
}

let bundled: { config: SettingsConfig; version: string } | undefined;

/** The bundled default, read and validated once per container. */
export function bundledSettings(): { config: SettingsConfig; version: string } {
  if (bundled === undefined) {
    const path = defaultSettingsPath();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new ConfigurationError(`the default settings ${path} are missing`);
    }
    const version = `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    bundled = { config: readYaml(text, path), version };
  }
  return bundled;
}

export interface SettingsSourceOptions {
  objects: ObjectStore;
  bucket: () => string;
  /** The stack's time zone, recorded beside the document's settings. */
  timeZone: () => string;
}

export class SettingsSource {
  private cached: { etag: string; config: SettingsConfig } | undefined;

  constructor(private readonly options: SettingsSourceOptions) {}

  /** The settings in force now, with where they come from and their version. */
  async current(): Promise<RunSettings> {
    const bucket = this.options.bucket();
    const timeZone = this.options.timeZone();
    // An upload replaced between the HeadObject and the read is read again, at its new version.
    for (let attempt = 0; attempt < 3; attempt++) {
      const etag = await this.options.objects.etagOf(bucket, SETTINGS_CONFIG_KEY);
      if (etag === undefined) break;
      const uploaded = await this.uploaded(bucket, etag);
      if (uploaded !== undefined) {
        const origin = { source: `s3://${bucket}/${SETTINGS_CONFIG_KEY}`, version: etag };
        return runSettingsOf(uploaded, origin, timeZone);
      }
    }
    const { config, version } = bundledSettings();
    return runSettingsOf(config, { source: `bundled ${SETTINGS_DEFAULT.path}`, version }, timeZone);
  }

  private async uploaded(bucket: string, etag: string): Promise<SettingsConfig | undefined> {
    if (this.cached?.etag === etag) return this.cached.config;
    // Named so that GET /v1/runs/{runId}'s failure keeps it (publicCause hides what looks like a file path).
    const source = `${SETTINGS_CONFIG_KEY}@${etag} in s3://${bucket}`;
    const bytes = await this.options.objects.smallBytes(
      { bucket, key: SETTINGS_CONFIG_KEY, etag },
      MAX_SETTINGS_BYTES,
    );
    // Replaced or deleted since the HeadObject.
    if (bytes === undefined) return undefined;
    if (bytes === 'too-big')
      throw new ConfigurationError(`${source}: larger than ${MAX_SETTINGS_BYTES} bytes`);
    const config = readYaml(new TextDecoder('utf-8').decode(bytes), source);
    this.cached = { etag, config };
    return config;
  }
}
