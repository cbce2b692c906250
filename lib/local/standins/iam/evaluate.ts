/**
 * IAM's evaluation of identity-based policies, as much of it as the stack's policies use: Allow and
 * Deny statements, Action/NotAction and Resource/NotResource with `*` and `?` wildcards, and the
 * condition operators below with their ForAllValues:/ForAnyValue: sets and IfExists. An explicit Deny
 * wins, then an Allow; nothing matching is an implicit deny. A policy holding an operator this module
 * does not know is refused when it is loaded (checkStatements), never silently read as allowing.
 *
 * Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * and reference_policies_elements_condition_operators.html.
 */
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

/** One authorization question: may the caller do `action` on `resource`, given the request's keys? */
export interface AccessRequest {
  action: string;
  resource: string;
  /** Condition keys of the request (`dynamodb:LeadingKeys`, `s3:prefix`); absent keys are missing. */
  context?: Readonly<Record<string, readonly string[]>>;
}

export type Decision =
  | { effect: 'allow'; statement: PolicyStatement }
  | { effect: 'explicit-deny'; statement: PolicyStatement }
  | { effect: 'implicit-deny' };

const SET_PREFIXES = ['ForAllValues:', 'ForAnyValue:'] as const;

type Matcher = (requestValue: string, policyValue: string) => boolean;

const exact: Matcher = (value, pattern) => value === pattern;
const ignoreCase: Matcher = (value, pattern) => value.toLowerCase() === pattern.toLowerCase();
const like: Matcher = (value, pattern) => wildcard(pattern, false).test(value);
const bool: Matcher = (value, pattern) => value.toLowerCase() === pattern.toLowerCase();

/** Each known operator: how one value matches one policy value, and whether the operator negates. */
const OPERATORS: Readonly<Record<string, { match: Matcher; negated: boolean }>> = {
  StringEquals: { match: exact, negated: false },
  StringNotEquals: { match: exact, negated: true },
  StringEqualsIgnoreCase: { match: ignoreCase, negated: false },
  StringNotEqualsIgnoreCase: { match: ignoreCase, negated: true },
  StringLike: { match: like, negated: false },
  StringNotLike: { match: like, negated: true },
  ArnEquals: { match: like, negated: false },
  ArnLike: { match: like, negated: false },
  ArnNotEquals: { match: like, negated: true },
  ArnNotLike: { match: like, negated: true },
  Bool: { match: bool, negated: false },
};

const patterns = new Map<string, RegExp>();

/** `*` any run of characters (`/` and `:` included), `?` one character; actions ignore case. */
function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let found = patterns.get(cacheKey);
  if (found === undefined) {
    const source = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    found = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
    patterns.set(cacheKey, found);
  }
  return found;
}

function parseOperator(name: string): { set?: string; operator: string; ifExists: boolean } {
  const set = SET_PREFIXES.find((prefix) => name.startsWith(prefix));
  let operator = set === undefined ? name : name.slice(set.length);
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);
  return { ...(set === undefined ? {} : { set }), operator, ifExists };
}

/** Throws, naming it, on a condition operator this evaluator would have to guess at. */
export function checkStatements(statements: readonly PolicyStatement[], where: string): void {
  for (const statement of statements) {
    for (const name of Object.keys(statement.Condition ?? {})) {
      const { operator } = parseOperator(name);
      if (operator !== 'Null' && OPERATORS[operator] === undefined) {
        throw new Error(`${where}: the local IAM check does not know the condition operator ${name}`);
      }
    }
  }
}

function conditionHolds(name: string, values: readonly string[], present: readonly string[] | undefined) {
  const { set, operator, ifExists } = parseOperator(name);
  if (operator === 'Null') {
    const isNull = present === undefined || present.length === 0;
    return values.some((v) => (v.toLowerCase() === 'true') === isNull);
  }
  const known = OPERATORS[operator];
  if (known === undefined) throw new Error(`unknown condition operator ${name}`);
  const matchesOne = (value: string): boolean => {
    const hit = values.some((pattern) => known.match(value, pattern));
    return known.negated ? !hit : hit;
  };
  const missing = present === undefined || present.length === 0;
  if (set === 'ForAllValues:') return missing || present.every(matchesOne);
  if (set === 'ForAnyValue:') return !missing && present.some(matchesOne);
  // A single-valued operator: a missing key matches only a negated operator or IfExists.
  if (missing) return ifExists || known.negated;
  if (present.length > 1) return false;
  return matchesOne(present[0] as string);
}

function conditionsHold(statement: PolicyStatement, request: AccessRequest): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      if (!conditionHolds(operator, values, request.context?.[key])) return false;
    }
  }
  return true;
}

function applies(statement: PolicyStatement, request: AccessRequest): boolean {
  const action = (patterns: readonly string[] | undefined) =>
    (patterns ?? []).some((p) => wildcard(p, true).test(request.action));
  const resource = (patterns: readonly string[] | undefined) =>
    (patterns ?? []).some((p) => wildcard(p, false).test(request.resource));
  const actionMatches =
    statement.Action !== undefined ? action(statement.Action) : !action(statement.NotAction);
  if (!actionMatches) return false;
  const resourceMatches =
    statement.Resource !== undefined ? resource(statement.Resource) : !resource(statement.NotResource);
  return resourceMatches && conditionsHold(statement, request);
}

/** The decision for one request: an explicit Deny beats any Allow; neither is an implicit deny. */
export function evaluate(statements: readonly PolicyStatement[], request: AccessRequest): Decision {
  let allowed: PolicyStatement | undefined;
  for (const statement of statements) {
    if (!applies(statement, request)) continue;
    if (statement.Effect === 'Deny') return { effect: 'explicit-deny', statement };
    allowed ??= statement;
  }
  return allowed === undefined ? { effect: 'implicit-deny' } : { effect: 'allow', statement: allowed };
}
