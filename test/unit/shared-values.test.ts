import { createHash } from 'node:crypto';
import { epochSeconds, isoNow, qcDate } from '../../core/shared/dates';
import { qcHash, safeEqual, sha256Hex } from '../../core/shared/hashing';
import { HEX32, hexId, keyId, secretValue } from '../../core/shared/ids';

/** Dates, ids and hashes in the formats the wire contract fixes (contract §1.1, §2). */
describe('qcDate', () => {
  const QC_DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

  test('YYYY-MM-DD HH:MM:SS in UTC, no T, no zone, no milliseconds', () => {
    expect(qcDate(new Date(Date.UTC(2023, 8, 15, 16, 23, 31, 987)))).toBe('2023-09-15 16:23:31');
    expect(qcDate('2023-09-15T16:23:31.000Z')).toBe('2023-09-15 16:23:31');
    expect(qcDate('2023-09-15T18:23:31+02:00')).toBe('2023-09-15 16:23:31');
    expect(qcDate(0)).toBe('1970-01-01 00:00:00');
    expect(qcDate(new Date())).toMatch(QC_DATE);
  });

  test('epochSeconds and isoNow', () => {
    expect(epochSeconds(new Date(1_700_000_000_999))).toBe(1_700_000_000);
    expect(isoNow(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02T03:04:05.000Z');
  });
});

describe('ids', () => {
  test('hexId is 32 lowercase hex characters and random', () => {
    const ids = new Set(Array.from({ length: 200 }, () => hexId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(HEX32.test(hexId())).toBe(true);
    expect(HEX32.test('A'.repeat(32))).toBe(false);
    expect(HEX32.test('a'.repeat(33))).toBe(false);
  });

  test('keyId carries its prefix and a URL-safe random part', () => {
    const id = keyId('lcs');
    expect(id).toMatch(/^lcs_[A-Za-z0-9_-]{16}$/);
    expect(keyId('tok')).not.toBe(keyId('tok'));
  });

  test('secretValue is hex of the requested length', () => {
    expect(secretValue()).toMatch(/^[0-9a-f]{64}$/);
    expect(secretValue(8)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('hashing', () => {
  test('qcHash is the contract\'s recipe: lowercase hex SHA-256 of "<token>:<timestamp>"', () => {
    // Known vector, computed with `printf '%s' 'my-api-token:1700000000' | sha256sum`.
    expect(qcHash('my-api-token', 1_700_000_000)).toBe('c70fc76028f43a5a19befbba915b5b8d473ab399ef2e4ea47767f147a4118bd4');
    expect(qcHash('my-api-token', '1700000000')).toBe(qcHash('my-api-token', 1_700_000_000));
    const token = 'ünï-tøken';
    expect(qcHash(token, 42)).toBe(
      createHash('sha256')
        .update(Buffer.from(`${token}:42`, 'utf8'))
        .digest('hex'),
    );
    expect(qcHash(token, 42)).toMatch(/^[0-9a-f]{64}$/);
  });

  test('sha256Hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('safeEqual compares exactly, including different lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
