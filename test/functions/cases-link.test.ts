import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerOf, lambdaContext, type Aws } from './ingest-harness.js';
import { apiEvent, FINANCE_CALLER, resetTables, runAll, startRunsAws } from './runs-harness.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';
import { act, AS_OF, call, casePath, CLERK, hoursBefore, LEAD, post, REVIEWER } from './cases-harness.js';

// Suggested matches in the pipeline and accepting one (CONTRACT §11), through the real webhook, run
// and cases handlers on the embedded DynamoDB and S3: a receipt booked under a mistyped reference
// shows up as two one-sided cases, each suggesting the other; the link, approved like a
// resolution, makes the next continuous run reconcile them as one group, and both cases close.

const WMS_GROUP = 'WH-01|SKU-7|PO-10234';
const FINANCE_GROUP = 'WH-01|SKU-7|PO-10243';
const DECOY_GROUP = 'WH-01|SKU-7|SO-88812';

let aws: Aws;

beforeAll(async () => {
  aws = await startRunsAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => {
  await resetTables(aws);
  await post('/v1/movements', [
    {
      eventId: 'E-1',
      warehouseId: 'WH-01',
      sku: 'SKU-7',
      type: 'RECEIPT',
      quantity: '600',
      documentRef: 'PO-10234',
      occurredAt: hoursBefore(120),
      unitCost: '100',
    },
  ]);
  await post('/v1/entries', [
    {
      entryId: 'F-1',
      warehouseId: 'WH-01',
      sku: 'SKU-7',
      type: 'RECEIPT',
      quantity: '600',
      amount: '60000.00',
      documentRef: 'PO-10243',
      postedAt: hoursBefore(110),
    },
    // A look-alike that is another transaction: same item, near quantity, another document.
    {
      entryId: 'F-2',
      warehouseId: 'WH-01',
      sku: 'SKU-7',
      type: 'RECEIPT',
      quantity: '590',
      amount: '59000.00',
      documentRef: 'SO-88812',
      postedAt: hoursBefore(100),
    },
  ]);
  await runAll({ runId: 'close-1', mode: 'close', asOf: AS_OF });
});

const facts = async (groupKey: string) => (await call('GET', casePath(groupKey), CLERK)).body;

describe('suggested matches in the pipeline', () => {
  it('shows each half of the mistyped transaction the other, and nothing on the decoy', async () => {
    const wms = await facts(WMS_GROUP);
    const finance = await facts(FINANCE_GROUP);
    expect(wms.facts.suggestedMatches).toEqual([
      expect.objectContaining({ documentRef: 'PO-10243', sku: 'SKU-7', score: 0.9 }),
    ]);
    expect(finance.facts.suggestedMatches).toEqual([
      expect.objectContaining({ documentRef: 'PO-10234', sku: 'SKU-7', score: 0.9 }),
    ]);
    expect((await facts(DECOY_GROUP)).facts.suggestedMatches).toEqual([]);
    // No closed case yet: nothing to learn a cause from.
    expect(wms.facts).not.toHaveProperty('predictedCause');
    // The run's own list carries them too.
    const page = answerOf(
      await runsApi(
        apiEvent('GET', '/v1/runs/close-1/discrepancies', { caller: FINANCE_CALLER }),
        lambdaContext(),
      ),
    );
    const listed = (page.body as { items: { groupKey: string; suggestedMatches?: unknown[] }[] }).items.find(
      (d) => d.groupKey === WMS_GROUP,
    );
    expect(listed?.suggestedMatches).toHaveLength(1);
  });

  it('links the two groups on approval; the next continuous run reconciles them as one and closes both cases', async () => {
    const linked = await act(FINANCE_GROUP, CLERK, { type: 'link', documentRef: 'PO-10234', sku: 'SKU-7' });
    expect(linked.statusCode).toBe(200);
    expect(linked.body.case.proposal.resolution).toEqual({
      action: 'link',
      documentRef: 'PO-10234',
      sku: 'SKU-7',
    });
    expect((await act(FINANCE_GROUP, REVIEWER, { type: 'approve' })).statusCode).toBe(200);
    expect((await act(FINANCE_GROUP, LEAD, { type: 'approve' })).body.case.state).toBe('AWAITING_BOOKS');

    // No record changed: the approval itself marked the partition for the next continuous run.
    const { run } = await runAll({ runId: 'cont-1', mode: 'continuous', asOf: '2026-11-02T01:00:00.000Z' });
    expect(run.partitions.length).toBeGreaterThan(0);

    const wms = await facts(WMS_GROUP);
    const finance = await facts(FINANCE_GROUP);
    expect(finance.state).toBe('CLOSED');
    expect(finance.rootCause).toEqual({ code: 'wrong-reference' });
    expect(wms.state).toBe('CLOSED');
    expect(wms.rootCause).toEqual({ code: 'wrong-reference' });
    expect(wms.closed).toMatchObject({ auto: true, by: 'stocktally' });
    // The decoy is another transaction: still open, still its own group.
    expect((await facts(DECOY_GROUP)).state).toBe('OPEN');
    const trail = await call('GET', casePath(WMS_GROUP, '/trail'), CLERK);
    expect((trail.body.events as { type: string; data: { reason?: string } }[]).at(-1)?.data.reason).toMatch(
      /reconciled the linked groups as one/,
    );
  });

  it('refuses a link to the group itself (400)', async () => {
    const self = await act(FINANCE_GROUP, CLERK, { type: 'link', documentRef: 'PO-10243', sku: 'SKU-7' });
    expect(self.statusCode).toBe(400);
  });
});
