import { parse, YAMLParseError } from 'yaml';
import { parseAlertConfig, type AlertConfig } from '../../core/alerts/alert-config.js';

/**
 * The alert configuration document's text (YAML, or JSON, which is YAML too) into a validated
 * AlertConfig, for every reader: the CDK stack at synth time, the notify function at run time, and
 * `stocktally start`. Nothing here talks to AWS, so the stack can import it.
 */
export class AlertConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
    this.name = 'AlertConfigError';
  }
}

export function parseAlertConfigText(text: string, source: string): AlertConfig {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new AlertConfigError(source, [
      `is not YAML or JSON${where}: ${(error as Error).message.split('\n')[0]}`,
    ]);
  }
  const parsed = parseAlertConfig(document ?? {});
  if (!parsed.ok) throw new AlertConfigError(source, parsed.errors);
  return parsed.config;
}
