import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/**
 * LEAN's own API calls during a job, made only when a test asks (`fake-lean-api-file`): the fake
 * LEAN otherwise never opens the network. Signed as LEAN signs (Lean:`Api/ApiConnection.cs`
 * GetAuthenticatorHeader): `Authorization: Basic base64(<job-user-id>:<hash>)` and `Timestamp`,
 * hash = SHA-256 hex of `<api-access-token>:<timestamp>` (Lean:`Api/Api.cs` CreateSecureHash), one
 * hash reused until it is 7000 s old; JSON POSTs (TryJsonPost). The calls are ApiDataProvider's
 * (Lean:`Engine/DataFeeds/ApiDataProvider.cs`): `data/prices` and `organizations/read` for
 * `job-organization-id` when it is constructed, then `data/read` (format link) for a file it
 * lacks (Api.DownloadData); then any endpoints the algorithm calls itself (`fake-lean-api-probes`,
 * comma-separated), with the job's organisation and project.
 */
function leanClient(settings) {
  let cached;
  const authenticator = () => {
    const now = Math.floor(Date.now() / 1000);
    if (!cached || now - cached.timestamp > 7000) {
      const hash = createHash('sha256').update(`${settings.apiToken}:${now}`).digest('hex');
      cached = { timestamp: now, value: Buffer.from(`${settings.userId}:${hash}`).toString('base64') };
    }
    return cached;
  };
  return async (endpoint, body) => {
    const auth = authenticator();
    const response = await fetch(`${settings.apiUrl.replace(/\/?$/, '/')}${endpoint}`, {
      method: 'POST',
      headers: { Authorization: `Basic ${auth.value}`, Timestamp: String(auth.timestamp), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let parsed = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // LEAN logs an unparsable answer and treats the call as failed.
    }
    return { endpoint, status: response.status, success: parsed.success === true, errors: parsed.errors ?? [], body: parsed };
  };
}

/** Runs the calls, logs failures as LEAN does, and records what was sent and answered. */
export async function callLeanApi(settings, log) {
  const post = leanClient(settings);
  const organizationId = settings.organizationId;
  const projectId = Number(settings.projectId);
  const calls = [];
  calls.push(await post('data/prices', { organizationId }));
  calls.push(await post('organizations/read', { organizationId }));
  calls.push(await post('data/read', { format: 'link', filePath: 'equity/usa/daily/spy.zip', organizationId }));
  for (const endpoint of String(settings.apiProbes ?? '')
    .split(',')
    .filter(Boolean)) {
    calls.push(await post(endpoint.trim(), { organizationId, projectId }));
  }
  for (const call of calls) {
    if (!call.success) log.error(`Api.TryRequest(${call.endpoint}): ${call.errors.join(' ')}`);
  }
  writeFileSync(
    settings.apiFile,
    JSON.stringify({ config: { 'job-user-id': settings.userId, 'api-access-token': settings.apiToken, 'data-provider': settings.dataProvider }, calls }),
  );
  return calls;
}
