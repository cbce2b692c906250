/**
 * Hash routes, so every view is a link that survives a reload and can be sent to a colleague:
 *   #/                          overview of the latest run
 *   #/heatmap?run=ID            heat maps of a run (the latest without run)
 *   #/list?run=ID&kind=&...     the discrepancy list with its filters, sort and cursor
 *   #/d/RUN/GROUPKEY            one discrepancy (group key URL-encoded) and its case
 *   #/vouchers?period=&status=&warehouseId=   the voucher of every movement (CONTRACT §9)
 *   #/periods                   the periods, their close KPIs month over month, and the lock
 * The list's `q` searches by document or sku; the period the views answer for is the shell's
 * (app.ts), kept for the session, so a link keeps its run and filters whatever period is chosen.
 */
export const LIST_FILTERS = [
  'kind',
  'severity',
  'warehouseId',
  'state',
  'age',
  'owner',
  'caseState',
] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

export interface ListRoute {
  view: 'list';
  run?: string;
  filters: Partial<Record<ListFilter, string>>;
  sort: 'document' | 'stake-desc' | 'stake-asc';
  /** Search text: rows whose document or sku holds every word. */
  q?: string;
  /** Cursors of the pages before this one (the first page has none); the last is this page's. */
  cursors: string[];
}

export interface VouchersRoute {
  view: 'vouchers';
  period?: string;
  status?: string;
  warehouseId?: string;
}

export type Route =
  | { view: 'overview' }
  | { view: 'periods' }
  | VouchersRoute
  | { view: 'heatmap'; run?: string }
  | ListRoute
  | { view: 'detail'; run: string; groupKey: string };

const SORTS = ['document', 'stake-desc', 'stake-asc'] as const;

export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#/, '');
  const q = body.indexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : body.slice(q + 1));
  const parts = path.split('/').filter((p) => p !== '');
  const run = params.get('run') ?? undefined;
  if (parts[0] === 'periods') return { view: 'periods' };
  if (parts[0] === 'heatmap') return { view: 'heatmap', ...(run === undefined ? {} : { run }) };
  if (parts[0] === 'list') {
    const filters: Partial<Record<ListFilter, string>> = {};
    for (const name of LIST_FILTERS) {
      const value = params.get(name);
      if (value !== null && value !== '') filters[name] = value;
    }
    const sort = params.get('sort');
    const q = params.get('q')?.trim() ?? '';
    return {
      view: 'list',
      ...(run === undefined ? {} : { run }),
      filters,
      ...(q === '' ? {} : { q }),
      sort: SORTS.find((s) => s === sort) ?? 'stake-desc',
      cursors: params.getAll('cursor').filter((c) => c !== ''),
    };
  }
  if (parts[0] === 'vouchers') {
    const route: VouchersRoute = { view: 'vouchers' };
    for (const name of ['period', 'status', 'warehouseId'] as const) {
      const value = params.get(name);
      if (value !== null && value !== '') route[name] = value;
    }
    return route;
  }
  if (parts[0] === 'd' && parts[1] !== undefined && parts[2] !== undefined) {
    try {
      return { view: 'detail', run: decodeURIComponent(parts[1]), groupKey: decodeURIComponent(parts[2]) };
    } catch {
      return { view: 'overview' };
    }
  }
  return { view: 'overview' };
}

export function routeHash(route: Route): string {
  if (route.view === 'overview') return '#/';
  if (route.view === 'periods') return '#/periods';
  if (route.view === 'heatmap')
    return route.run === undefined ? '#/heatmap' : `#/heatmap?run=${encodeURIComponent(route.run)}`;
  if (route.view === 'detail')
    return `#/d/${encodeURIComponent(route.run)}/${encodeURIComponent(route.groupKey)}`;
  if (route.view === 'vouchers') {
    const params = new URLSearchParams();
    for (const name of ['period', 'status', 'warehouseId'] as const) {
      const value = route[name];
      if (value !== undefined && value !== '') params.set(name, value);
    }
    const text = params.toString();
    return text === '' ? '#/vouchers' : `#/vouchers?${text}`;
  }
  const params = new URLSearchParams();
  if (route.run !== undefined) params.set('run', route.run);
  for (const name of LIST_FILTERS) {
    const value = route.filters[name];
    if (value !== undefined && value !== '') params.set(name, value);
  }
  if (route.sort !== 'stake-desc') params.set('sort', route.sort);
  if (route.q !== undefined && route.q !== '') params.set('q', route.q);
  for (const cursor of route.cursors) params.append('cursor', cursor);
  const text = params.toString();
  return text === '' ? '#/list' : `#/list?${text}`;
}

/** The list as a heat-map cell opens it: exactly that cell's filters, largest first. */
export function cellRoute(
  run: string,
  warehouseId: string,
  axis: { kind: string } | { age: string },
): ListRoute {
  return { view: 'list', run, filters: { warehouseId, ...axis }, sort: 'stake-desc', cursors: [] };
}
