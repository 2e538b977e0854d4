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

  it('writes the same kept text into the same answer once, and anew when the rest of the answer differs', () => {
    const kept = new JsonText('{"status":"completed","name":"Kept"}');
    // Strings have no identity to compare: the splice (split, then join) is watched instead.
    const split = jest.spyOn(String.prototype, 'split');
    const first = envelopeJson(okEnvelope({ optimization: kept }));
    const splices = split.mock.calls.length;
    expect(splices).toBeGreaterThan(0);
    expect(envelopeJson(okEnvelope({ optimization: kept }))).toBe(first);
    expect(split.mock.calls.length).toBe(splices);
    split.mockRestore();
    const other = envelopeJson(okEnvelope({ optimization: kept, note: 'changed' }));
    expect(JSON.parse(other)).toEqual({ optimization: { status: 'completed', name: 'Kept' }, note: 'changed', success: true });
    expect(JSON.parse(envelopeJson(okEnvelope({ optimization: new JsonText('{"a":2}') })))).toEqual({ optimization: { a: 2 }, success: true });
  });

  it('writes every kept text in its place when an answer has several', () => {
    const a = new JsonText('[1,2]');
    const b = new JsonText('{"b":true}');
    const text = envelopeJson(okEnvelope({ first: a, second: b, again: a }));
    expect(JSON.parse(text)).toEqual({ first: [1, 2], second: { b: true }, again: [1, 2], success: true });
  });
});
