import { html, render, type TemplateResult } from 'lit-html';
import { Api, ApiError, NotAvailableError, type PeriodList, type RunBrief } from './api.js';
import { forget, signOutUrl, switchLocalUser, type AppConfig, type Session } from './auth.js';
import type { LocalUser } from './case-types.js';
import type { Context } from './context.js';
import { codeLabel, language, setLanguage, t } from './i18n.js';
import { parseRoute, routeHash, type Route } from './routes.js';
import { renderDetail } from './views/detail.js';
import { renderHeatMap } from './views/heatmap.js';
import { renderList } from './views/list.js';
import { renderOverview } from './views/overview.js';
import { renderVouchers } from './views/vouchers.js';
import { periodStatusLabel, renderPeriods } from './views/periods.js';

/** Where the chosen period is kept for the session (the live view when absent). */
const PERIOD_KEY = 'stocktally.period';

/**
 * The shell: header (views, language, who is signed in and, locally, the user switcher) and the
 * routed view below it. Every navigation is a hash change, so the back button and deep links work.
 */
export interface AppOptions {
  root: HTMLElement;
  config: AppConfig;
  session: Session;
  storage: Storage;
}

export function startApp(options: AppOptions): void {
  const { root, config, storage } = options;
  let session = options.session;
  const api = new Api({ baseUrl: config.apiUrl, token: () => session.token });
  let generation = 0;
  let runsCache: Promise<RunBrief[]> | undefined;
  let workflowCache: Promise<boolean> | undefined;
  let usersCache: Promise<LocalUser[]> | undefined;
  let periodsCache: Promise<PeriodList | undefined> | undefined;
  let period: string | undefined = storage.getItem(PERIOD_KEY) ?? undefined;

  /** GET /v1/periods, or undefined while the API has no periods (404: not built or none yet). */
  const periods = (): Promise<PeriodList | undefined> =>
    (periodsCache ??= api.periods().catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }));

  const choosePeriod = (next: string | undefined): void => {
    period = next;
    if (next === undefined) storage.removeItem(PERIOD_KEY);
    else storage.setItem(PERIOD_KEY, next);
    void show();
  };

  /** The period selector: the live view and every period the API lists (newest first). */
  const periodPicker = (list: PeriodList | undefined): TemplateResult =>
    html`<label class="period-picker"
      >${t('periodPick')}
      <select
        data-test="period-picker"
        @change=${(e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          choosePeriod(value === '' ? undefined : value);
        }}
      >
        <option value="" ?selected=${period === undefined}>${t('liveView')}</option>
        ${(list?.items ?? []).map(
          (p) =>
            html`<option value=${p.period} ?selected=${p.period === period}>
              ${p.period} · ${periodStatusLabel(p)}
            </option>`,
        )}
      </select></label
    >`;

  const users = (): Promise<LocalUser[]> =>
    (usersCache ??= config.mode === 'local' ? api.localUsers().catch(() => []) : Promise.resolve([]));

  const header = (route: Route, known: LocalUser[], list?: PeriodList): TemplateResult => {
    const link = (view: Route['view'], target: Route, label: string) =>
      html`<a
        href=${routeHash(target)}
        class=${route.view === view ? 'active' : ''}
        data-test=${`nav-${view}`}
        >${label}</a
      >`;
    return html`<header class="top">
      <h1>Stocktally · ${t('appTitle')}</h1>
      <nav>
        ${link('overview', { view: 'overview' }, t('navOverview'))}
        ${link('heatmap', { view: 'heatmap' }, t('navHeatMap'))}
        ${link('list', { view: 'list', filters: {}, sort: 'stake-desc', cursors: [] }, t('navList'))}
        ${link('vouchers', { view: 'vouchers' }, t('navVouchers'))}
        ${link('periods', { view: 'periods' }, t('navPeriods'))}
      </nav>
      ${periodPicker(list)}
      <span class="spacer"></span>
      <div class="who">
        <span data-test="who"
          >${t('signedInAs')}: ${session.username} (${session.roles.map(codeLabel).join(', ')})</span
        >
        ${
          known.length === 0
            ? ''
            : html`<select
                data-test="user-switcher"
                aria-label=${t('switchUser')}
                @change=${(e: Event) => {
                  const chosen = known.find((u) => u.username === (e.target as HTMLSelectElement).value);
                  if (chosen === undefined) return;
                  switchLocalUser(storage, chosen);
                  session = { token: chosen.token, username: chosen.username, roles: chosen.roles };
                  void show();
                }}
              >
                ${known.map((u) => html`<option value=${u.username} ?selected=${u.username === session.username}>${u.username}</option>`)}
              </select>`
        }
        ${
          config.mode === 'cognito'
            ? html`<button
                type="button"
                @click=${() => {
                  forget(storage);
                  window.location.assign(signOutUrl(config, window));
                }}
              >
                ${t('signOut')}
              </button>`
            : ''
        }
        <button
          type="button"
          data-test="language"
          @click=${() => {
            setLanguage(language() === 'zh' ? 'en' : 'zh', storage);
            void show();
          }}
        >
          ${t('language')}
        </button>
      </div>
    </header>`;
  };

  async function show(): Promise<void> {
    const mine = ++generation;
    runsCache = undefined;
    periodsCache = undefined;
    const route = parseRoute(window.location.hash);
    render(
      html`${header(route, [])}
        <main id="view"></main>`,
      root,
    );
    // Not ready until this navigation's view has rendered (the element outlives navigations).
    root.querySelector<HTMLElement>('#view')?.removeAttribute('data-ready');
    const [known, list] = await Promise.all([users(), periods().catch(() => undefined)]);
    if (mine !== generation) return;
    // A period the API does not list (none yet, or gone) leaves the live view.
    if (period !== undefined && list?.items.some((p) => p.period === period) !== true) {
      period = undefined;
      storage.removeItem(PERIOD_KEY);
    }
    // The listing knows the roles of the person signed in (the bare token's `local` holds every role).
    const me = known.find((u) => u.username === session.username);
    if (me !== undefined) session = { ...session, roles: me.roles };
    render(
      html`${header(route, known, list)}
        <main id="view"></main>`,
      root,
    );
    const view = root.querySelector<HTMLElement>('#view');
    if (view === null) return;
    const ctx: Context = {
      api,
      config,
      session,
      navigate: (next) => {
        window.location.hash = routeHash(next);
      },
      runs: () => (runsCache ??= api.runs(50).then((p) => p.items)),
      workflow: () =>
        (workflowCache ??= api.cases({ limit: 1 }).then(
          () => true,
          (e: unknown) => !(e instanceof NotAvailableError),
        )),
      users,
      current: () => mine === generation,
      period,
      periods,
    };
    view.dataset.view = route.view;
    try {
      if (route.view === 'overview') await renderOverview(ctx, view);
      else if (route.view === 'heatmap') await renderHeatMap(ctx, view, route.run);
      else if (route.view === 'list') await renderList(ctx, view, route);
      else if (route.view === 'vouchers') await renderVouchers(ctx, view, route);
      else if (route.view === 'periods') await renderPeriods(ctx, view);
      else await renderDetail(ctx, view, route.run, route.groupKey);
    } finally {
      if (mine === generation) view.dataset.ready = 'true';
    }
  }

  window.addEventListener('hashchange', () => void show());
  void show();
}
