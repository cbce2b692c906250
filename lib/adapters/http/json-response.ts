import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The one place an API Gateway (HTTP API v2) JSON answer is shaped. Never sniffed as another type
 * (a text field holding markup stays JSON), never cached (answers carry ledger data and change).
 */
export const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** A CSV download (UTF-8; the body carries its own BOM where Excel needs one), never cached either. */
export function csvResponse(filename: string, body: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
    body,
  };
}
