import { dockerNetwork, leanApiUrl } from '../../local/process-launcher';

/** Local mode: the API address LEAN gets, depending on where LEAN runs. */
test('LEAN on the host, or in a container on Linux (host network), uses the address as it is', () => {
  expect(leanApiUrl('http://localhost:5612/api/v2/', false, 'darwin')).toBe('http://localhost:5612/api/v2/');
  expect(leanApiUrl('http://localhost:5612/api/v2/', true, 'linux')).toBe('http://localhost:5612/api/v2/');
  expect(dockerNetwork('linux').flags).toBe('--network host');
});

test('in a Docker Desktop container (macOS, Windows) a loopback address becomes host.docker.internal', () => {
  expect(leanApiUrl('http://localhost:5612/api/v2/', true, 'darwin')).toBe('http://host.docker.internal:5612/api/v2/');
  expect(leanApiUrl('http://127.0.0.1:5612/api/v2/', true, 'win32')).toBe('http://host.docker.internal:5612/api/v2/');
  // A real host name is left alone.
  expect(leanApiUrl('http://build-box.lan:5612/api/v2/', true, 'darwin')).toBe('http://build-box.lan:5612/api/v2/');
  expect(dockerNetwork('darwin').flags).toBe('--add-host=host.docker.internal:host-gateway');
});
