/**
 * An item image from the table's stream (DynamoDB's typed JSON: `{ "S": "…" }`, `{ "N": "1" }`…)
 * as plain values, the way the document client reads items. Written here rather than taken from
 * @aws-sdk/util-dynamodb, which the project does not list as a dependency of its own. Numbers
 * become JavaScript numbers (the document client's default); binary values are not stored.
 */
export type AttributeValue = Record<string, unknown>;

function plain(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('M' in value) return fromStreamImage(value.M as Record<string, AttributeValue>);
  if ('L' in value) return (value.L as AttributeValue[]).map(plain);
  if ('SS' in value) return new Set(value.SS as string[]);
  if ('NS' in value) return new Set((value.NS as string[]).map(Number));
  throw new Error(`Unsupported attribute type in a stream image: ${Object.keys(value).join(',')}`);
}

export function fromStreamImage(image: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, plain(value)]));
}
