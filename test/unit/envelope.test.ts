import { envelopeJson, JsonText, okEnvelope } from '../../core/shared/envelope';

describe('envelopeJson', () => {
  it('is JSON.stringify for an answer without kept text', () => {
    const envelope = okEnvelope({ projects: [{ name: 'a "quoted" name', projectId: 1 }], count: 1 });
    expect(envelopeJson(envelope)).toBe(JSON.stringify(envelope));
  });

  it('writes kept JSON text in place, untouched, beside the other fields', () => {
    const kept = '{"status":"completed","backtests":{"b1":{"statistics":[1,2.5,null]}},"name":"Kept"}';
    const text = envelopeJson(okEnvelope({ optimization: new JsonText(kept), note: 'x' }));
    expect(text).toContain(kept);
    expect(JSON.parse(text)).toEqual({ optimization: JSON.parse(kept), note: 'x', success: true });
  });

  it('never takes a stored string for kept text, even one that looks like a marker', () => {
    const sneaky = '"lcs-json-text-00000000-0000-0000-0000-000000000000-0"';
    const text = envelopeJson(okEnvelope({ optimization: new JsonText('{"a":1}'), name: sneaky, other: 'lcs-json-text-' }));
    expect(JSON.parse(text)).toEqual({ optimization: { a: 1 }, name: sneaky, other: 'lcs-json-text-', success: true });
  });
});
