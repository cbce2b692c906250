import { dataDictionary, dictionaryMarkdown, dictionaryText } from '../core/contract/dictionary.js';
import { UsageError } from './usage-error.js';

export const DICTIONARY_HELP = `Usage: stocktally dictionary [--markdown | --json]

Prints the data dictionary (数据字典): every field of the WMS movement, the finance entry, the
discrepancy and the summary, with type, whether it is required, its meaning in Chinese and English
and an example, generated from the schemas.

  (default)     aligned plain text for a terminal
  --markdown    the markdown of docs/data-dictionary.md (npm run dictionary regenerates that file)
  --json        the dictionary as JSON
  -h, --help    this help
`;

/** `stocktally dictionary [--markdown | --json]`: writes the dictionary to stdout, returns the exit code. */
export function runDictionary(argv: string[]): number {
  let format: 'text' | 'markdown' | 'json' = 'text';
  let chosen: string | undefined;
  for (const arg of argv) {
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(DICTIONARY_HELP);
      return 0;
    }
    const next = arg === '--markdown' ? 'markdown' : arg === '--json' ? 'json' : undefined;
    if (next === undefined) {
      throw new UsageError(
        arg.startsWith('-')
          ? `dictionary: unknown option ${arg} (use --markdown or --json)`
          : `dictionary: unexpected argument ${arg} (use --markdown or --json)`,
      );
    }
    if (chosen !== undefined && chosen !== arg) {
      throw new UsageError(`dictionary: ${chosen} and ${arg} cannot be combined; choose one`);
    }
    chosen = arg;
    format = next;
  }
  const out =
    format === 'markdown'
      ? dictionaryMarkdown()
      : format === 'json'
        ? JSON.stringify(dataDictionary(), null, 2) + '\n'
        : dictionaryText();
  process.stdout.write(out);
  return 0;
}
