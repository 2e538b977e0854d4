import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config';

/** SDK clients, created once per process (module scope survives between Lambda invocations). */
let dynamo: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;

export function documentClient(): DynamoDBDocumentClient {
  if (!dynamo) {
    const { DYNAMODB_ENDPOINT, AWS_REGION } = config();
    const base = new DynamoDBClient({ region: AWS_REGION, ...(DYNAMODB_ENDPOINT ? { endpoint: DYNAMODB_ENDPOINT } : {}) });
    dynamo = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  }
  return dynamo;
}

export function s3Client(): S3Client {
  if (!s3) {
    const { S3_ENDPOINT, AWS_REGION } = config();
    s3 = new S3Client({ region: AWS_REGION, ...(S3_ENDPOINT ? { endpoint: S3_ENDPOINT, forcePathStyle: true } : {}) });
  }
  return s3;
}

export function tableName(): string {
  return config().TABLE_NAME;
}

/** Forget clients (tests that restart the emulators on new ports). */
export function resetClients(): void {
  dynamo?.destroy();
  s3?.destroy();
  dynamo = undefined;
  s3 = undefined;
}
