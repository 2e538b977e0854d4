import { rmSync } from 'node:fs';

/** Stops the local server the way Ctrl-C does (SIGINT: graceful) and removes the run's folder. */
export default async function globalTeardown(): Promise<void> {
  const child = globalThis.__lcsServer;
  if (child && child.exitCode === null) {
    await new Promise<void>((done) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done();
      }, 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill('SIGINT');
    });
  }
  globalThis.__lcsServer = undefined;
  await new Promise<void>((done) => (globalThis.__lcsJwks ? globalThis.__lcsJwks.close(() => done()) : done()));
  globalThis.__lcsJwks = undefined;
  if (process.env.LCS_TEST_DIR) rmSync(process.env.LCS_TEST_DIR, { recursive: true, force: true });
  delete process.env.LCS_TEST_API_URL;
}
