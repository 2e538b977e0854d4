import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../../shared/config';

/** SDK clients, created once per process (module scope survives between Lambda invocations). */
let dynamo: DynamoDBDocumentClient | undefined;
type S3Sdk = typeof import('@aws-sdk/client-s3');
let s3Loaded: Promise<{ client: import('@aws-sdk/client-s3').S3Client; sdk: S3Sdk }> | undefined;

export function documentClient(): DynamoDBDocumentClient {
  if (!dynamo) {
    const { DYNAMODB_ENDPOINT, AWS_REGION } = config();
    const base = new DynamoDBClient({ region: AWS_REGION, ...(DYNAMODB_ENDPOINT ? { endpoint: DYNAMODB_ENDPOINT } : {}) });
    dynamo = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  }
  return dynamo;
}

/**
 * The S3 client and its SDK module, loaded on first use: most endpoints never touch S3, and the
 * module costs ~30 ms of cold start (measured) that they should not pay.
 */
export function s3(): Promise<{ client: import('@aws-sdk/client-s3').S3Client; sdk: S3Sdk }> {
  s3Loaded ??= import('@aws-sdk/client-s3').then((sdk) => {
    const { S3_ENDPOINT, AWS_REGION } = config();
    return { sdk, client: new sdk.S3Client({ region: AWS_REGION, ...(S3_ENDPOINT ? { endpoint: S3_ENDPOINT, forcePathStyle: true } : {}) }) };
  });
  return s3Loaded;
}

export function tableName(): string {
  return config().TABLE_NAME;
}

/** Forget clients (tests that restart the emulators on new ports). */
export function resetClients(): void {
  dynamo?.destroy();
  void s3Loaded?.then(({ client }) => client.destroy());
  dynamo = undefined;
  s3Loaded = undefined;
}
