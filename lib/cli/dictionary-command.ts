import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseWorkflowConfig } from '../core/cases/workflow-config.js';
import {
  dataDictionary,
  dictionaryMarkdown,
  dictionaryText,
  type FeedSettings,
} from '../core/contract/dictionary.js';
import { bundledDefault } from '../adapters/cases/workflow-config-source.js';
import { UsageError } from './usage-error.js';

export const DICTIONARY_HELP = `Usage: stocktally dictionary [--markdown | --json] [--workflow FILE]

Prints the data dictionary (数据字典): every field of the WMS movement, the finance entry, the
reference tables, the discrepancy, the summary, the voucher and the cost variance, with type,
whether it is required, its meaning in Chinese and English and an example, generated from the
schemas; and each feed's update frequency and owner, from the workflow configuration's \`feeds\`.

  (default)        aligned plain text for a terminal
  --markdown       the markdown of docs/data-dictionary.md (npm run dictionary regenerates that file)
  --json           the dictionary as JSON
  --workflow FILE  the workflow configuration whose feeds are listed (default: config/workflow.yaml)
  -h, --help       this help
`;

/** The feeds of the configuration named, or of the bundled default. */
function feedsOf(path: string | undefined): FeedSettings {
  if (path === undefined) return bundledDefault().config.feeds ?? {};
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--workflow ${path}: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}`,
    );
  }
  const parsed = parseWorkflowConfig(raw, path);
  if (!parsed.ok) throw new UsageError(`--workflow ${parsed.reason}`);
  return parsed.config.feeds ?? {};
}

/** `stocktally dictionary [--markdown | --json]`: writes the dictionary to stdout, returns the exit code. */
export function runDictionary(argv: string[]): number {
  let format: 'text' | 'markdown' | 'json' = 'text';
  let chosen: string | undefined;
  let workflow: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(DICTIONARY_HELP);
      return 0;
    }
    if (arg === '--workflow') {
      workflow = argv[++i];
      if (workflow === undefined || workflow === '')
        throw new UsageError('dictionary: --workflow needs a FILE');
      continue;
    }
    const next = arg === '--markdown' ? 'markdown' : arg === '--json' ? 'json' : undefined;
    if (next === undefined) {
      throw new UsageError(
        arg.startsWith('-')
          ? `dictionary: unknown option ${arg} (use --markdown, --json or --workflow FILE)`
          : `dictionary: unexpected argument ${arg} (use --markdown, --json or --workflow FILE)`,
      );
    }
    if (chosen !== undefined && chosen !== arg) {
      throw new UsageError(`dictionary: ${chosen} and ${arg} cannot be combined; choose one`);
    }
    chosen = arg;
    format = next;
  }
  const feeds = feedsOf(workflow);
  const out =
    format === 'markdown'
      ? dictionaryMarkdown(feeds)
      : format === 'json'
        ? JSON.stringify(dataDictionary(feeds), null, 2) + '\n'
        : dictionaryText(feeds);
  process.stdout.write(out);
  return 0;
}
