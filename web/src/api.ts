import type { RunBrief, RunPage } from '../../lib/api/runs.js';
import type { PeriodList, PeriodLockRequest, PeriodView } from '../../lib/api/periods.js';
import type {
  AgeBucket,
  DiscrepancyPage,
  RunDiscrepancy,
  RunRecord,
} from '../../lib/core/runs/run-events.js';
import type { RunHeatMap } from '../../lib/core/runs/run-heat-map.js';
import type { VoucherWithStatus } from '../../lib/core/vouchers/voucher-status.js';
import type { UnpricedMovement } from '../../lib/core/vouchers/vouchers.js';
import { VOUCHER_CURSOR_HEADER } from '../../lib/api/vouchers.js';
import type {
  ActionAnswer,
  CaseAction,
  CasePage,
  CaseRecord,
  CloseCheck,
  LocalUser,
  Trail,
} from './case-types.js';

export type { RunBrief, RunPage, RunHeatMap, RunDiscrepancy, RunRecord, DiscrepancyPage };
export type { PeriodList, PeriodView };

/** GET /v1/vouchers (CONTRACT §9): the voucher of every movement with its status. */
export interface VoucherAnswer {
  period: string | null;
  vouchers: VoucherWithStatus[];
  unpriced: UnpricedMovement[];
  /** The next page's cursor; null on the last page (the client follows it, see vouchers()). */
  cursor: string | null;
}

/** Pages the dashboard follows at most: 200 pages of 1,000 vouchers is a period past reading here. */
const MAX_VOUCHER_PAGES = 200;

export interface VoucherQuery {
  period?: string;
  status?: string;
  warehouseId?: string;
}

/** The API's refusal: its status, stable code (when the handler gave one) and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    /** What the refusal lists beside its message (a failed close-check's blockers). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * A route this service does not have (404 from the gateway itself, no handler code): the case
 * workflow before it is deployed. Views say the feature is not available instead of failing.
 */
export class NotAvailableError extends ApiError {
  constructor(path: string) {
    super(404, `not available: ${path}`);
    this.name = 'NotAvailableError';
  }
}

export interface ListQuery {
  kind?: string;
  severity?: string;
  warehouseId?: string;
  state?: string;
  age?: AgeBucket | string;
  sort?: 'document' | 'stake-desc' | 'stake-asc';
  cursor?: string;
  limit?: number;
}

/** GET /v1/cases/summary: the open cases of one severity (lib/adapters/cases/case-store.ts). */
export interface OpenSeverityFigures {
  count: number;
  byAge: Record<AgeBucket, number>;
  oldest: { caseId: string; groupKey: string; firstSeen: string; ageDays: number } | null;
}

export interface OpenCasesSummary {
  asOf: string;
  warehouseId: string | null;
  states: string[];
  bySeverity: Record<'RED' | 'YELLOW' | 'GREEN', OpenSeverityFigures>;
}

/** GET /v1/cases filters; state, severity, kind and age take comma lists. */
export interface CaseQuery {
  state?: string;
  owner?: string;
  warehouseId?: string;
  severity?: string;
  kind?: string;
  age?: string;
  /** The case's period (YYYY-MM). */
  period?: string;
  cursor?: string;
  limit?: number;
}

export interface DiscrepancyDetail {
  runId: string;
  discrepancy: RunDiscrepancy;
  history: {
    runId: string;
    state: string;
    kind: string;
    severity: string;
    moneyAtStake: string;
    firstSeen: string;
    lastSeen: string;
    resolvedAt?: string;
  }[];
  records: { wms: Record<string, unknown>[]; finance: Record<string, unknown>[] };
}

export interface ApiOptions {
  /**
   * '' for the page's own origin: locally, and in the cloud, where the dashboard's distribution
   * serves the API under /v1/*. Else the API's base URL.
   */
  baseUrl: string;
  token: () => string | undefined;
  fetch?: typeof fetch;
}

function query(params: object): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export class Api {
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ApiOptions) {
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    accept = 'application/json',
  ): Promise<T> {
    return (await this.exchange<T>(method, path, body, accept)).value;
  }

  /** A call's answer with the response headers, for pages whose cursor travels in one. */
  private async exchange<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    accept = 'application/json',
  ): Promise<{ value: T; headers: Headers }> {
    const token = this.options.token();
    const headers: Record<string, string> = { accept };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetcher(`${this.options.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) {
      return { value: (accept === 'application/json' ? parsed : text) as T, headers: response.headers };
    }
    const answer = (parsed ?? {}) as { code?: string; message?: string; details?: unknown };
    if (response.status === 404 && answer.code === undefined) throw new NotAvailableError(path);
    throw new ApiError(response.status, answer.message ?? response.statusText, answer.code, answer.details);
  }

  runs(limit = 30): Promise<RunPage> {
    return this.request('GET', `/v1/runs${query({ limit })}`);
  }

  run(runId: string): Promise<RunRecord> {
    return this.request('GET', `/v1/runs/${encodeURIComponent(runId)}`);
  }

  heatMap(runId: string): Promise<RunHeatMap> {
    return this.request('GET', `/v1/runs/${encodeURIComponent(runId)}/heatmap`);
  }

  discrepancies(runId: string, q: ListQuery): Promise<DiscrepancyPage> {
    return this.request('GET', `/v1/runs/${encodeURIComponent(runId)}/discrepancies${query(q)}`);
  }

  discrepancy(runId: string, groupKey: string): Promise<DiscrepancyDetail> {
    return this.request(
      'GET',
      `/v1/runs/${encodeURIComponent(runId)}/discrepancies/${encodeURIComponent(groupKey)}`,
    );
  }

  reportLink(runId: string, format: 'pdf' | 'xlsx' | 'csv'): Promise<{ url: string }> {
    return this.request(
      'GET',
      `/v1/runs/${encodeURIComponent(runId)}/report${query({ format, redirect: 'false' })}`,
    );
  }

  localUsers(): Promise<LocalUser[]> {
    return this.request('GET', '/local/users');
  }

  cases(q: CaseQuery): Promise<CasePage> {
    return this.request('GET', `/v1/cases${query(q)}`);
  }

  /** The open cases counted by the API (its open index), not paged through here. */
  casesSummary(warehouseId?: string): Promise<OpenCasesSummary> {
    return this.request('GET', `/v1/cases/summary${query(warehouseId === undefined ? {} : { warehouseId })}`);
  }

  /** `caseId` is the base64url of the group key (case-id.ts), as the API names cases. */
  case(caseId: string): Promise<CaseRecord> {
    return this.request('GET', `/v1/cases/${encodeURIComponent(caseId)}`);
  }

  act(caseId: string, action: CaseAction): Promise<ActionAnswer> {
    return this.request('POST', `/v1/cases/${encodeURIComponent(caseId)}/actions`, action);
  }

  trail(caseId: string): Promise<Trail> {
    return this.request('GET', `/v1/cases/${encodeURIComponent(caseId)}/trail`);
  }

  /** Every page of the period's vouchers, followed cursor by cursor, as one answer. */
  async vouchers(q: VoucherQuery): Promise<VoucherAnswer> {
    const first = await this.request<VoucherAnswer>('GET', `/v1/vouchers${query(q)}`);
    const all = { ...first, vouchers: [...first.vouchers], unpriced: [...first.unpriced] };
    for (let page = 1; all.cursor !== null && page < MAX_VOUCHER_PAGES; page++) {
      const next = await this.request<VoucherAnswer>(
        'GET',
        `/v1/vouchers${query({ ...q, cursor: all.cursor })}`,
      );
      all.vouchers.push(...next.vouchers);
      all.unpriced.push(...next.unpriced);
      all.cursor = next.cursor;
    }
    return all;
  }

  /**
   * The ERP import CSV of the same vouchers, as text (the route needs the token a plain link
   * lacks): every page, the header and its BOM once.
   */
  async vouchersCsv(q: VoucherQuery): Promise<string> {
    let text = '';
    let cursor: string | null | undefined;
    for (let page = 0; page < MAX_VOUCHER_PAGES && cursor !== null; page++) {
      const answer = await this.exchange<string>(
        'GET',
        `/v1/vouchers${query({ ...q, format: 'csv', cursor })}`,
        undefined,
        'text/csv',
      );
      text += page === 0 ? answer.value : answer.value.slice(answer.value.indexOf('\n') + 1);
      cursor = answer.headers.get(VOUCHER_CURSOR_HEADER);
    }
    // Reading the body as text drops the BOM Excel needs to open Chinese text: put it back.
    return text.startsWith('\uFEFF') ? text : `\uFEFF${text}`;
  }

  /** GET /v1/periods: every period with records, newest first (CONTRACT §7). */
  periods(): Promise<PeriodList> {
    return this.request('GET', '/v1/periods');
  }

  /** POST /v1/periods/{period}/lock; 409 while the close-check fails and no override reason is given. */
  lockPeriod(period: string, overrideReason?: string): Promise<unknown> {
    const body: PeriodLockRequest = overrideReason === undefined ? {} : { override: overrideReason };
    return this.request('POST', `/v1/periods/${encodeURIComponent(period)}/lock`, body);
  }

  closeCheck(period: string): Promise<CloseCheck> {
    return this.request('GET', `/v1/periods/${encodeURIComponent(period)}/close-check`);
  }
}
