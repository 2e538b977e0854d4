/**
 * The QuantConnect envelope (contract §2): every answer is a JSON object with `success`;
 * failures carry `errors`, always a list of strings. Logical failures use HTTP 200, because
 * lean-cli only reads 2xx bodies and reads HTTP 500 as "invalid credentials".
 */
export type Payload = Record<string, unknown>;

export interface Envelope extends Payload {
  success: boolean;
}

export function okEnvelope(payload: Payload = {}): Envelope {
  return { ...payload, success: true };
}

export function errorEnvelope(errors: string[], extra: Payload = {}): Envelope {
  return { ...extra, success: false, errors };
}
