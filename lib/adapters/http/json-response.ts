import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The one place an API Gateway (HTTP API v2) JSON answer is shaped. */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}
