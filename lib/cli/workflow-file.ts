import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseWorkflowConfig, type WorkflowConfig } from '../core/cases/workflow-config.js';
import { UsageError } from './usage-error.js';

/**
 * A workflow configuration document given on the command line (`vouchers --workflow`, `reconcile
 * --accounts`), validated like the functions validate it; a bad one is an unusable argument that
 * names its flag and the offending path.
 */
export async function loadWorkflowFile(path: string, flag: string): Promise<WorkflowConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UsageError(
      `${flag} ${path}: not YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    );
  }
  const parsed = parseWorkflowConfig(raw, path);
  if (!parsed.ok) throw new UsageError(`${flag} ${parsed.reason}`);
  return parsed.config;
}
