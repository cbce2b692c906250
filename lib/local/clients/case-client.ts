import type { RunApi } from './run-client.js';

/**
 * The cases routes as a caller uses them: `stocktally start --demo` counts the cases its run
 * opened through here, exactly as any client of the API sees them.
 */
export interface CaseSummary {
  caseId: string;
  groupKey: string;
  state: string;
  severity: string;
  owner: string;
  moneyAtStake: string;
  period: string;
}

/** Every case the list route answers for `query`, page by page. */
export async function listAllCases(
  client: RunApi,
  query: Record<string, string> = {},
): Promise<CaseSummary[]> {
  const cases: CaseSummary[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, limit: '500', ...(cursor === null ? {} : { cursor }) });
    const response = await fetch(`${client.api}/v1/cases?${params.toString()}`, {
      headers: { authorization: `Bearer ${client.token}` },
    });
    const body = (await response.json()) as {
      items?: CaseSummary[];
      cursor?: string | null;
      message?: string;
    };
    if (!response.ok) throw new Error(`GET /v1/cases answered ${response.status}: ${body.message ?? ''}`);
    cases.push(...(body.items ?? []));
    cursor = body.cursor ?? null;
  } while (cursor !== null);
  return cases;
}
