import { afterEach, describe, expect, it } from 'vitest';
import { KINDS, SEVERITIES } from '../../lib/core/reconcile/discrepancy.js';
import { AGE_BUCKETS, LIFECYCLE_STATES, RUN_STATUSES } from '../../lib/core/runs/run-events.js';
import { CASE_EVENT_TYPES } from '../../lib/core/cases/case-workflow.js';
import { ACTION_TYPES, CASE_STATES, RESOLUTION_ACTIONS, ROLES, ROOT_CAUSES } from '../src/case-types.js';
import {
  catalogue,
  codeCatalogue,
  codeLabel,
  kindLabel,
  setLanguage,
  severityLabel,
  t,
  typeLabel,
} from '../src/i18n.js';

afterEach(() => setLanguage('zh'));

describe('the message catalogue', () => {
  it('has both languages complete: the same keys, none empty, and really translated', () => {
    const zh = catalogue('zh');
    const en = catalogue('en');
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const [key, text] of [...Object.entries(zh), ...Object.entries(en)])
      expect(text.trim(), key).not.toBe('');
    const untranslated = Object.keys(zh).filter((k) => zh[k as keyof typeof zh] === en[k as keyof typeof en]);
    expect(untranslated).toEqual([]);
  });

  it('labels every code the API and the workflow send, in both languages', () => {
    const codes = [
      ...LIFECYCLE_STATES,
      ...AGE_BUCKETS,
      ...RUN_STATUSES,
      ...CASE_STATES,
      ...ACTION_TYPES,
      ...CASE_EVENT_TYPES,
      ...RESOLUTION_ACTIONS,
      ...ROOT_CAUSES,
      ...ROLES,
      'open-red-case',
      'unapproved-proposal',
      'hash',
      'link',
      'sequence',
      'case',
      'head',
    ];
    for (const lang of ['zh', 'en'] as const) {
      const known = codeCatalogue(lang);
      expect(
        codes.filter((c) => known[c] === undefined),
        lang,
      ).toEqual([]);
    }
  });

  it('speaks Chinese by default with the contract’s vocabulary (CONTRACT §6)', () => {
    expect(t('navHeatMap')).toBe('热力图');
    expect(kindLabel('MISSING_IN_WMS')).toBe('WMS缺失(财务有记录)');
    expect(kindLabel('DUPLICATE_POSTING')).toBe('重复记账');
    expect(severityLabel('RED')).toBe('红灯');
    expect(typeLabel('TRANSFER_OUT')).toBe('调拨出库');
    expect(codeLabel('PROPOSED')).toBe('待审批');
    // The workflow's own Chinese names, as the API (stateZh) and the reports give them.
    expect(codeLabel('IN_REVIEW')).toBe('审查中');
    expect(codeLabel('reverse-entry')).toBe('冲销错误分录');
    expect(codeLabel('late-posting')).toBe('过账延迟');
  });

  it('switches to English, every kind and severity included', () => {
    setLanguage('en');
    expect(t('navHeatMap')).toBe('Heat map');
    expect(KINDS.map(kindLabel)).toContain('Duplicate posting');
    expect(SEVERITIES.map(severityLabel)).toEqual(['Red', 'Yellow', 'Green']);
    expect(t('pageOf', { n: 3 })).toBe('Page 3');
  });
});
