import { ROLES } from '../../core/cases/roles.js';
import { LOCAL_USERS, localUserListing } from '../wiring/local-users.js';

/**
 * What `stocktally start` prints about the exception workflow: the local users with their bearer
 * tokens, and the walk of a case from the list to an approved, exported journal entry as curl lines
 * (the README's "Cases and approvals" walks the same).
 */
export function usersLines(token: string): string[] {
  const rows = localUserListing(token).map((u) => {
    const roles = u.roles.length === ROLES.length ? 'every role' : u.roles.join(', ');
    return `    ${u.username.padEnd(14)} ${roles.padEnd(20)} ${u.token}`;
  });
  return [`  users           bearer token <token>.<username> (GET /local/users lists them):`, ...rows];
}

export function casesGuide(api: string, token: string, dataDir: string, period = 'YYYY-MM'): string[] {
  const as = (username: string) => `-H 'authorization: Bearer ${token}.${username}'`;
  const json = `-H 'content-type: application/json'`;
  const post = (username: string, body: string) =>
    `  curl -sS ${as(username)} ${json} -d '${body}' ${api}/v1/cases/$CASE/actions`;
  const [lead, clerk, reviewer] = LOCAL_USERS;
  return [
    'Cases and approvals (one case per discrepancy; see README, "Cases and approvals")',
    `  # the RED cases, and the id of one whose voucher is missing in finance:`,
    `  curl -sS ${as(clerk?.username ?? '')} '${api}/v1/cases?severity=RED'`,
    `  CASE=$(curl -sS ${as(clerk?.username ?? '')} '${api}/v1/cases?severity=RED&kind=MISSING_IN_FINANCE&limit=1' | node -pe 'JSON.parse(require("fs").readFileSync(0)).items[0].caseId')`,
    `  # review it, propose a voucher for what finance lacks, approve as two other people:`,
    post(clerk?.username ?? '', '{"type":"start-review"}'),
    post(
      clerk?.username ?? '',
      '{"type":"propose","resolution":{"action":"supplement-voucher","voucherRef":"V-0001"},"rootCause":{"code":"missing-voucher"}}',
    ),
    post(reviewer?.username ?? '', '{"type":"approve"}'),
    post(lead?.username ?? '', '{"type":"approve"}'),
    `  curl -sS ${as(clerk?.username ?? '')} '${api}/v1/journal-entries?period=${period}&format=csv'`,
    `  # it now waits for the books (AWAITING_BOOKS): the run that finds the group agreeing closes it;`,
    `  # a difference that stays ends only through an approved accept-difference (a write-off)`,
    `  curl -sS ${as('chen.it')} ${api}/v1/cases/$CASE/trail`,
    `  curl -sS ${as(reviewer?.username ?? '')} ${api}/v1/periods/${period}/close-check`,
    `  npx stocktally audit verify --data ${dataDir}`,
    `  # the voucher of every movement with its status (proposed, posted, differs), and the ERP import CSV:`,
    `  curl -sS ${as(clerk?.username ?? '')} '${api}/v1/vouchers?period=${period}&status=differs'`,
    `  curl -sS ${as(clerk?.username ?? '')} '${api}/v1/vouchers?period=${period}&format=csv'`,
  ];
}
