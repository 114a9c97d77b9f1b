import { randomUUID } from 'node:crypto';
import { awsJsonError, type AwsJsonResponse } from '../aws-json-response.ts';
import type { EdgeService } from './request-authorizations.ts';

/**
 * The denial as each service answers it on AWS, so the SDK in the handler throws an error named
 * `AccessDeniedException`:
 * - DynamoDB (JSON 1.0): 400, `__type` `com.amazonaws.dynamodb.v20120810#AccessDeniedException`;
 * - SQS (JSON 1.0, awsQueryCompatible): 403, `__type` `com.amazon.coral.service#AccessDeniedException`
 *   (no `x-amzn-query-error` header, which would rename the error to the Query protocol's `AccessDenied`);
 * - EventBridge Scheduler (REST-JSON): 403, `x-amzn-ErrorType: AccessDeniedException`, body `{ Message }`.
 */
export function accessDeniedResponse(service: EdgeService, message: string): AwsJsonResponse {
  switch (service) {
    case 'dynamodb':
      return awsJsonError(400, 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message);
    case 'sqs':
      return awsJsonError(403, 'com.amazon.coral.service#AccessDeniedException', message);
    case 'scheduler':
      return {
        status: 403,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': 'AccessDeniedException' },
        body: JSON.stringify({ Message: message }),
      };
  }
}

/**
 * IAM's wording: "User: <assumed-role ARN> is not authorized to perform: <action> on resource:
 * <ARN> because no identity-based policy allows the <action> action" (or "with an explicit deny
 * in an identity-based policy").
 */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, explicit: boolean): string {
  const because = explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${because}`;
}
