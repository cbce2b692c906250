import { ENV } from '../../declarations/tables.js';
import { s3Client } from '../aws/aws-clients.js';
import { FileDigestLog, S3DigestLog, type DigestLog } from './digest-log.js';
import { optionalEnv } from '../aws/env.js';

/**
 * The digest log the functions anchor to, one per container: the Object Lock bucket in the cloud
 * (STOCKTALLY_AUDIT_BUCKET), the data directory's audit/ locally (STOCKTALLY_AUDIT_DIR). Neither set
 * (a test of another concern): nothing is anchored, and `stocktally audit verify` would say so.
 */
let log: DigestLog | undefined;
let from: string | undefined;

export function digestLog(): DigestLog | undefined {
  const dir = optionalEnv(ENV.auditDir);
  const bucket = optionalEnv(ENV.auditBucket);
  const where = dir ?? bucket;
  if (where === undefined) return undefined;
  // Made again when the variables change (the local pipeline's tests start several pipelines).
  if (log === undefined || from !== where) {
    log = dir !== undefined ? new FileDigestLog(dir) : new S3DigestLog(s3Client(), bucket ?? '');
    from = where;
  }
  return log;
}
