import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { systemClock } from '../../clock.js';
import { RunNotFoundError } from '../../errors/runs.js';
import { s3Client } from '../aws/aws-clients.js';
import { config } from '../aws/env.js';
import { jsonResponse } from '../http/json-response.js';
import { linkLifetime, type ReportFormatName, type ReportedRun } from './report-keys.js';

export /**
 * 302 to a presigned GET of the run's report in `format`; 404 until the run lists a report. The link
 * is signed with this function's own role (s3:GetObject on reports/; locally the URL points at the
 * embedded S3), whose temporary credentials bound how long it can work: `expiresIn` is capped to
 * that (linkLifetime), and the JSON answer says the lifetime granted.
 */
async function reportLink(
  run: ReportedRun,
  format: ReportFormatName,
  requested: number,
  redirect: boolean,
): Promise<APIGatewayProxyStructuredResultV2> {
  const key = run.reports?.[format];
  if (key === undefined) throw new RunNotFoundError(`run ${run.runId} has no ${format} report`);
  const client = s3Client();
  // The credentials expire on the machine's time, which S3 also checks the link against: not the business clock.
  const expiresIn = linkLifetime(requested, await client.config.credentials(), systemClock());
  const location = await getSignedUrl(client, new GetObjectCommand({ Bucket: config.bucket(), Key: key }), {
    expiresIn,
  });
  if (!redirect) return jsonResponse(200, { url: location, expiresIn });
  return { statusCode: 302, headers: { location, 'cache-control': 'no-store' }, body: '' };
}
