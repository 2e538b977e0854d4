import { InvalidError } from '../../core/shared/errors';
import { bodyParams, endpointFromPath, headerValue, queryParams, requestParams, type UploadedFile } from '../../lambdas/api/transport';
import { apiEvent } from '../support/api-event';

/** Transport parsing (contract §2): every encoding a client uses becomes one parameter map. */

const form = (pairs: [string, string][]) => new URLSearchParams(pairs).toString();

describe('query string', () => {
  test('bracket keys become nested objects and arrays (LEAN Link payloads)', () => {
    const params = queryParams(
      apiEvent({
        multiValueQueryStringParameters: {
          'command[Symbol]': ['SPY'],
          'command[Parameters][Quantity]': ['10'],
          'command[Items][0]': ['a'],
          'command[Items][1]': ['b'],
          projectId: ['123'],
        },
      }),
    );
    expect(params).toEqual({ command: { Symbol: 'SPY', Parameters: { Quantity: '10' }, Items: ['a', 'b'] }, projectId: '123' });
  });

  test('single-value map is used when there is no multi-value map; spaces and plus signs survive', () => {
    const params = queryParams(apiEvent({ queryStringParameters: { name: 'a+b c', 'files[0][name]': 'main.py' } }));
    expect(params).toEqual({ name: 'a+b c', files: [{ name: 'main.py' }] });
  });

  test('no query at all gives an empty map', () => {
    expect(queryParams(apiEvent())).toEqual({});
  });
});

describe('body', () => {
  test('JSON object, with or without a content type, and with a +json media type', async () => {
    const json = JSON.stringify({ projectId: 7, nested: { a: [1, 2] } });
    expect(await bodyParams(apiEvent({ headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: json }))).toEqual({
      projectId: 7,
      nested: { a: [1, 2] },
    });
    expect(await bodyParams(apiEvent({ body: json }))).toEqual({ projectId: 7, nested: { a: [1, 2] } });
    expect(await bodyParams(apiEvent({ headers: { 'content-type': 'application/vnd.api+json' }, body: json }))).toMatchObject({ projectId: 7 });
  });

  test('a base64-encoded JSON body is decoded', async () => {
    const body = Buffer.from('{"name":"ünïcode"}').toString('base64');
    expect(await bodyParams(apiEvent({ headers: { 'content-type': 'application/json' }, body, isBase64Encoded: true }))).toEqual({ name: 'ünïcode' });
  });

  test('empty body (LEAN posts nothing for account/read) and JSON null give an empty map', async () => {
    expect(await bodyParams(apiEvent({ body: null }))).toEqual({});
    expect(await bodyParams(apiEvent({ body: '', headers: { 'content-type': 'application/json' } }))).toEqual({});
    expect(await bodyParams(apiEvent({ body: 'null', headers: { 'content-type': 'application/json' } }))).toEqual({});
  });

  test('malformed JSON is an InvalidError naming the request, never a crash', async () => {
    const bad = bodyParams(apiEvent({ headers: { 'content-type': 'application/json' }, body: '{"projectId": 1,' }));
    await expect(bad).rejects.toBeInstanceOf(InvalidError);
    await expect(bad).rejects.toThrow('request: body is not valid JSON');
    // Without a content type a body that looks like JSON is still read as JSON.
    await expect(bodyParams(apiEvent({ body: '{oops' }))).rejects.toBeInstanceOf(InvalidError);
  });

  test('a JSON array or scalar is refused: the parameters must be an object', async () => {
    await expect(bodyParams(apiEvent({ headers: { 'content-type': 'application/json' }, body: '[1,2]' }))).rejects.toThrow(
      'request: body must be a JSON object',
    );
    await expect(bodyParams(apiEvent({ headers: { 'content-type': 'application/json' }, body: '42' }))).rejects.toBeInstanceOf(InvalidError);
  });

  test("lean-cli's projects/update form: bracket keys, more than 20 files stay an ordered array", async () => {
    const pairs: [string, string][] = [
      ['projectId', '123'],
      ['name', 'My Project'],
      ['parameters[0][key]', 'fast'],
      ['parameters[0][value]', '10'],
    ];
    const count = 45;
    for (let i = 0; i < count; i++) pairs.push([`files[${i}][name]`, `file${i}.py`], [`files[${i}][content]`, `x = ${i} & y\n`]);
    pairs.push(['libraries[0]', '5'], ['encryptionKey', ''], ['codeSourceId', 'cli']);
    const params = await bodyParams(apiEvent({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(pairs) }));
    expect(params.projectId).toBe('123');
    expect(params.name).toBe('My Project');
    expect(params.parameters).toEqual([{ key: 'fast', value: '10' }]);
    expect(params.libraries).toEqual(['5']);
    expect(params.encryptionKey).toBe('');
    const files = params.files as { name: string; content: string }[];
    expect(Array.isArray(files)).toBe(true);
    expect(files).toHaveLength(count);
    expect(files[0]).toEqual({ name: 'file0.py', content: 'x = 0 & y\n' });
    expect(files[count - 1]).toEqual({ name: `file${count - 1}.py`, content: `x = ${count - 1} & y\n` });
  });

  test('a form with more than 1000 keys keeps every key', async () => {
    const pairs: [string, string][] = [];
    for (let i = 0; i < 1500; i++) pairs.push([`files[${i}][name]`, `f${i}.py`], [`files[${i}][content]`, '']);
    const params = await bodyParams(apiEvent({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(pairs) }));
    expect((params.files as unknown[]).length).toBe(1500);
  });

  test('a body without a content type that does not look like JSON is read as a form', async () => {
    expect(await bodyParams(apiEvent({ body: 'projectId=5&name=a%20b' }))).toEqual({ projectId: '5', name: 'a b' });
  });

  test('multipart: fields (bracket keys too) and a file part', async () => {
    const boundary = '----lcs-test-boundary';
    const fileBytes = Buffer.from([0x00, 0xff, 0x10, 0x41, 0x0d, 0x0a]);
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="organizationId"\r\n\r\nabc\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="meta[key]"\r\n\r\nmodels/a.bin\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="objectData"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      fileBytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const params = await bodyParams(
      apiEvent({ headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: body.toString('base64'), isBase64Encoded: true }),
    );
    expect(params.organizationId).toBe('abc');
    expect(params.meta).toEqual({ key: 'models/a.bin' });
    const file = params.objectData as UploadedFile;
    expect(file.filename).toBe('a.bin');
    expect(file.contentType).toBe('application/octet-stream');
    expect(Buffer.isBuffer(file.data)).toBe(true);
    expect(file.data.equals(fileBytes)).toBe(true);
  });

  test('multipart without a boundary is an InvalidError', async () => {
    await expect(bodyParams(apiEvent({ headers: { 'content-type': 'multipart/form-data' }, body: 'x' }))).rejects.toBeInstanceOf(InvalidError);
  });
});

test('requestParams merges query and body, the body winning', async () => {
  const params = await requestParams(
    apiEvent({
      queryStringParameters: { projectId: '1', organizationId: 'q' },
      multiValueQueryStringParameters: { projectId: ['1'], organizationId: ['q'] },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ projectId: 2 }),
    }),
  );
  expect(params).toEqual({ projectId: 2, organizationId: 'q' });
});

test('headerValue is case-insensitive', () => {
  expect(headerValue(apiEvent({ headers: { 'CONTENT-TYPE': 'text/plain' } }), 'content-type')).toBe('text/plain');
  expect(headerValue(apiEvent({ headers: {} }), 'content-type')).toBeUndefined();
});

describe('endpointFromPath', () => {
  test.each([
    ['/api/v2/projects/read', 'projects/read'],
    ['/api/v2/projects/read/', 'projects/read'],
    ['/api/v2//projects/read', 'projects/read'],
    ['//api//v2//projects//read//', 'projects/read'],
    ['/api/v2/organizations/encryption/keys/list/', 'organizations/encryption/keys/list'],
    ['/prod/api/v2/authenticate', 'authenticate'],
    ['/api/v2/Projects/Read', 'projects/read'],
    ['/api/v2/files/read?projectId=1', 'files/read'],
    ['projects/read', 'projects/read'],
    ['/api/v2/', ''],
  ])('%s → %s', (path, endpoint) => {
    expect(endpointFromPath(path)).toBe(endpoint);
  });
});
