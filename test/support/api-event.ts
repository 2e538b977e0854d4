import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A bare API Gateway proxy event for the API's `/api/v2/{endpoint+}` resource, for handler-level unit tests. */
export function apiEvent(parts: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: '/api/v2/{endpoint+}',
    path: '/api/v2/projects/read',
    httpMethod: 'POST',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    ...parts,
  };
}
