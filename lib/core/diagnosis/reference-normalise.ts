/**
 * How alike two codes are as people mistype them (CONTRACT §11): a document reference or sku that
 * differs only in spacing, case, punctuation, look-alike characters (O for 0) or leading zeros is
 * the same code written differently; one differing by one transposition, one wrong character or
 * one character too many is probably a slip of the keyboard. Anything further is another code.
 * Pure and linear in the codes' length: the suggester calls it for every candidate pair of a block.
 */

/** What the comparison found, strongest first. */
export type CodeLikeness =
  | { kind: 'same' }
  | { kind: 'normalised'; steps: NormaliseStep[] }
  | { kind: 'transposed'; steps: NormaliseStep[]; pair: [string, string] }
  | { kind: 'substituted'; steps: NormaliseStep[]; pair: [string, string] }
  | { kind: 'inserted'; steps: NormaliseStep[]; char: string }
  | { kind: 'different' };

export type NormaliseStep = 'spacing' | 'case' | 'punctuation' | 'look-alike' | 'leading-zeros';

/** Letters keyed in for the digit they resemble (and read back by OCR the same way). */
const LOOK_ALIKE: Readonly<Record<string, string>> = {
  O: '0',
  Q: '0',
  I: '1',
  L: '1',
  Z: '2',
  S: '5',
  B: '8',
};

/** A one-edit slip is believable only in a code this long (after normalising): "A1" vs "A2" is not. */
const MIN_EDIT_LENGTH = 4;

const STEPS: readonly [NormaliseStep, (text: string) => string][] = [
  ['spacing', (t) => t.replace(/\s+/gu, '')],
  ['case', (t) => t.toUpperCase()],
  ['punctuation', (t) => t.replace(/[^\p{L}\p{N}]+/gu, '')],
  // Only a letter touching a digit is read as one: the S of SKU-00317 stays a letter.
  ['look-alike', (t) => t.replace(/[OQILZSB](?=\d)|(?<=\d)[OQILZSB]/g, (c) => LOOK_ALIKE[c] ?? c)],
  ['leading-zeros', (t) => t.replace(/(^|\D)0+(?=\d)/g, '$1')],
];

/** The forms of a code after each step, the verbatim text first (NFKC folds full-width characters). */
export function normalForms(code: string): string[] {
  const forms = [code];
  // eslint-disable-next-line no-control-regex -- ASCII codes need no folding; most codes are ASCII.
  let form = /[^\x00-\x7f]/.test(code) ? code.normalize('NFKC') : code;
  for (const [, step] of STEPS) {
    form = step(form);
    forms.push(form);
  }
  return forms;
}

/** The fully normalised code: equal for two codes that differ only in how they are written. */
export function normaliseCode(code: string): string {
  return normalForms(code).at(-1) ?? code;
}

type Edit = Extract<CodeLikeness, { kind: 'transposed' | 'substituted' | 'inserted' }>;

/** a from i equals b from j, compared in place: this runs for every candidate pair. */
function sameTail(a: string, i: number, b: string, j: number): boolean {
  if (a.length - i !== b.length - j) return false;
  while (i < a.length) if (a.charCodeAt(i++) !== b.charCodeAt(j++)) return false;
  return true;
}

/** One transposition, one substitution or one insertion between a and b, found in one pass. */
function oneEdit(a: string, b: string): Edit | undefined {
  if (a === b) return undefined;
  if (Math.max(a.length, b.length) < MIN_EDIT_LENGTH) return undefined;
  if (a.length === b.length) {
    let i = 0;
    while (a.charCodeAt(i) === b.charCodeAt(i)) i++;
    if (sameTail(a, i + 1, b, i + 1)) {
      return { kind: 'substituted', steps: [], pair: [a[i] ?? '', b[i] ?? ''] };
    }
    if (a[i] === b[i + 1] && a[i + 1] === b[i] && sameTail(a, i + 2, b, i + 2)) {
      return { kind: 'transposed', steps: [], pair: [a.slice(i, i + 2), b.slice(i, i + 2)] };
    }
    return undefined;
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  if (long.length - short.length !== 1) return undefined;
  let i = 0;
  while (i < short.length && long.charCodeAt(i) === short.charCodeAt(i)) i++;
  if (sameTail(long, i + 1, short, i)) return { kind: 'inserted', steps: [], char: long[i] ?? '' };
  return undefined;
}

/** The code through steps 1..upTo (as in normalForms), leaving out step `skip`. */
function formWithout(code: string, skip: number, upTo: number): string {
  let form = code.normalize('NFKC');
  for (let k = 1; k <= upTo; k++) {
    const step = STEPS[k - 1];
    if (k !== skip && step !== undefined) form = step[1](form);
  }
  return form;
}

/**
 * The steps the likeness needs: those without which the two codes would no longer agree (or no
 * longer be one slip apart). Two codes that both change under a step (both spell SKU) did not
 * need it, so a reason never blames spacing or zeros that were not the difference.
 */
function stepsNeeded(a: string, b: string, upTo: number, holds: (x: string, y: string) => boolean) {
  const needed: NormaliseStep[] = [];
  for (let k = 1; k <= upTo; k++) {
    const step = STEPS[k - 1]?.[0];
    if (step !== undefined && !holds(formWithout(a, k, upTo), formWithout(b, k, upTo))) needed.push(step);
  }
  return needed;
}

/** How alike two codes are: the first form at which they agree, else one edit apart in a late form. */
export function compareCodes(a: string, b: string): CodeLikeness {
  if (a === b) return { kind: 'same' };
  return compareForms(a, b, normalForms(a), normalForms(b));
}

/**
 * compareCodes on forms made beforehand (normalForms), for a caller that compares each code with
 * many others: the forms are the costly part, the comparison a few string equalities.
 */
export function compareForms(
  a: string,
  b: string,
  fa: readonly string[],
  fb: readonly string[],
): CodeLikeness {
  if (a === b) return { kind: 'same' };
  for (let k = 1; k < fa.length; k++) {
    if (fa[k] === fb[k]) return { kind: 'normalised', steps: stepsNeeded(a, b, k, (x, y) => x === y) };
  }
  // A slip is looked for where the writing no longer differs: after look-alikes, then after zeros.
  for (const k of [fa.length - 2, fa.length - 1]) {
    const edit = oneEdit(fa[k] ?? '', fb[k] ?? '');
    if (edit !== undefined) {
      const steps = stepsNeeded(a, b, k, (x, y) => oneEdit(x, y)?.kind === edit.kind);
      return { ...edit, steps };
    }
  }
  return DIFFERENT;
}

const DIFFERENT: CodeLikeness = { kind: 'different' };

/** How much a likeness says "the same code": 1 for the same text, 0 for another code. */
export function likenessScore(l: CodeLikeness): number {
  switch (l.kind) {
    case 'same':
      return 1;
    case 'normalised':
      return 0.97;
    case 'transposed':
      return 0.9;
    case 'substituted':
      return 0.85;
    case 'inserted':
      return 0.8;
    case 'different':
      return 0;
  }
}

const STEP_EN: Readonly<Record<NormaliseStep, string>> = {
  spacing: 'spacing',
  case: 'case',
  punctuation: 'punctuation',
  'look-alike': 'look-alike characters (O for 0)',
  'leading-zeros': 'leading zeros',
};

const STEP_ZH: Readonly<Record<NormaliseStep, string>> = {
  spacing: '空格',
  case: '大小写',
  punctuation: '标点',
  'look-alike': '形近字符(O 与 0)',
  'leading-zeros': '前导零',
};

const list = (parts: readonly string[], and: string): string =>
  parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} ${and} ${parts.at(-1) ?? ''}`;

/** "differs only in case and punctuation" / "has two characters transposed (07 for 70)". */
export function describeLikeness(l: CodeLikeness): { en: string; zh: string } {
  const after = (steps: readonly NormaliseStep[]) =>
    steps.length === 0
      ? { en: '', zh: '' }
      : {
          en: ` once ${list(
            steps.map((s) => STEP_EN[s]),
            'and',
          )} are set aside`,
          zh: `(忽略${steps.map((s) => STEP_ZH[s]).join('、')}后)`,
        };
  switch (l.kind) {
    case 'same':
      return { en: 'is the same', zh: '相同' };
    case 'normalised':
      return {
        en: `differs only in ${list(
          l.steps.map((s) => STEP_EN[s]),
          'and',
        )}`,
        zh: `仅${l.steps.map((s) => STEP_ZH[s]).join('、')}不同`,
      };
    case 'transposed': {
      const a = after(l.steps);
      return {
        en: `has two characters transposed (${l.pair[0]} for ${l.pair[1]})${a.en}`,
        zh: `${a.zh}相邻两位颠倒(${l.pair[0]} 与 ${l.pair[1]})`,
      };
    }
    case 'substituted': {
      const a = after(l.steps);
      return {
        en: `has one character wrong (${l.pair[0]} for ${l.pair[1]})${a.en}`,
        zh: `${a.zh}一位字符不同(${l.pair[0]} 与 ${l.pair[1]})`,
      };
    }
    case 'inserted': {
      const a = after(l.steps);
      return {
        en: `has one character (${l.char}) more or less${a.en}`,
        zh: `${a.zh}多或少一位字符(${l.char})`,
      };
    }
    case 'different':
      return { en: 'is another code', zh: '不同' };
  }
}
