import { leanEnvironment, leanUser } from '../../runner/lean/environment';

/** What LEAN (user code) may see of the runner: lean/environment.ts. */

test("LEAN's environment: what the image sets for .NET and Python, never credentials, metadata URIs or LCS settings", () => {
  const runner = {
    PATH: '/opt/miniconda3/bin:/usr/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    PYTHONNET_PYDLL: '/opt/miniconda3/lib/libpython3.11.so',
    LD_LIBRARY_PATH: '/opt/miniconda3/lib',
    DOTNET_ROOT: '/usr/share/dotnet',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/abc',
    AWS_ACCESS_KEY_ID: 'AKIA…',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'token',
    AWS_REGION: 'eu-west-1',
    ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x',
    ECS_CONTAINER_METADATA_URI: 'http://169.254.170.2/v3/x',
    LCS_JOB: '{}',
    LCS_TABLE: 'lcs',
    DOTNET_SECRET_TOKEN: 'nope',
    GITHUB_TOKEN: 'ghp',
    NODE_OPTIONS: '--enable-source-maps',
  };
  expect(leanEnvironment(runner, { PYTHONUSERBASE: '/job/python' })).toEqual({
    PATH: '/opt/miniconda3/bin:/usr/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    PYTHONNET_PYDLL: '/opt/miniconda3/lib/libpython3.11.so',
    LD_LIBRARY_PATH: '/opt/miniconda3/lib',
    DOTNET_ROOT: '/usr/share/dotnet',
    DOTNET_NOLOGO: 'true',
    DOTNET_CLI_TELEMETRY_OPTOUT: 'true',
    PYTHONUSERBASE: '/job/python',
  });
  expect(leanEnvironment(runner, { HOME: '/home/lean' }).HOME).toBe('/home/lean');
});

test('LEAN runs as the configured user only when the runner is root and can switch', () => {
  const lean = { uid: 1000, gid: 1000, home: '/home/lean' };
  expect(leanUser(lean, 0)).toEqual(lean);
  expect(leanUser(lean, 1000)).toBeUndefined();
  expect(leanUser(lean, 501)).toBeUndefined();
  expect(leanUser(lean, null)).toBeUndefined(); // no uids (Windows)
  expect(leanUser(undefined, 0)).toBeUndefined();
  expect(leanUser({ uid: 0, gid: 0 }, 0)).toBeUndefined();
});
