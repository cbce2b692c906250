import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { journalCsv } from '../../lib/core/cases/journal/journal-csv.js';
import { caseStore, workflowConfig } from '../../lib/adapters/cases/containers.js';
import {
  actOnCase,
  caseView,
  exportJournal,
  findCase,
  periodCloseCheck,
  trailOf,
} from '../../lib/app/cases/case-work.js';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { readCasesRequest } from '../../lib/adapters/http/cases-request.js';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { httpHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * GET /v1/cases, GET /v1/cases/summary?warehouseId=, GET /v1/cases/{caseId}, POST /v1/cases/{caseId}/actions,
 * GET /v1/cases/{caseId}/trail, GET /v1/journal-entries?period=&format=csv|json,
 * GET /v1/periods/{period}/close-check: the exception workflow (README, "Cases and approvals").
 * The caller comes from the JWT authorizer's claims; the rules from lib/core.
 */
async function casesApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = callerOf(event);
  const request = readCasesRequest(event);
  metrics.addMetric(`casesApi_${request.route}`, MetricUnit.Count, 1);
  const store = caseStore();
  const { config } = await workflowConfig().current();
  const now = currentTime();
  switch (request.route) {
    case 'list': {
      const [page, freezes] = await Promise.all([
        store.list(request.filter, { cursor: request.cursor, limit: request.limit, now: now.getTime() }),
        store.freezes(),
      ]);
      const items = page.items.map((c) => {
        const { facts: _facts, ...view } = caseView(c, { caller, config, freezes, now });
        return view;
      });
      return jsonResponse(200, { items, cursor: page.cursor });
    }
    case 'summary':
      return jsonResponse(
        200,
        await store.openSummary({ warehouseId: request.warehouseId, now: now.getTime() }),
      );
    case 'get': {
      const [stored, freezes] = await Promise.all([
        findCase(store, config, request.groupKey),
        store.freezes(),
      ]);
      return jsonResponse(200, caseView(stored, { caller, config, freezes, now }));
    }
    case 'act': {
      const done = await actOnCase(store, config, request.groupKey, request.action, caller, now);
      logger.info('case action', {
        groupKey: request.groupKey,
        type: request.action.type,
        seq: done.event.seq,
      });
      const freezes = await store.freezes();
      return jsonResponse(200, {
        case: caseView(done.stored, { caller, config, freezes, now }),
        event: done.event,
        ...(done.released.length === 0 ? {} : { released: done.released }),
      });
    }
    case 'trail':
      return jsonResponse(200, await trailOf(store, request.groupKey));
    case 'journal': {
      const entries = await exportJournal(store, config, request.period, request.format, caller, now);
      if (request.format === 'json') return jsonResponse(200, { period: request.period, entries });
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="journal-entries-${request.period}.csv"`,
        },
        body: journalCsv(entries.map((e) => e.entry)),
      };
    }
    case 'closeCheck':
      return jsonResponse(200, await periodCloseCheck(store, request.period));
  }
}

export const handler = httpHandler(casesApi);
