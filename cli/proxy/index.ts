import type { Command } from 'commander';
import { describeError, fail } from '../admin/action';
import { collect } from '../admin/parse';
import { readStackOutputs } from '../admin/target';
import { LOCAL_BASE_PATH, startProxy } from './reverse-proxy';

interface ProxyCommandOptions {
  url?: string;
  stack?: string[];
  region?: string;
  port: string;
  host: string;
}

/** `lcs proxy`: lean-cli against a deployed stack, through http://localhost:5612/api/v2/. */
export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description(
      `forward http://localhost:5612${LOCAL_BASE_PATH} to a deployed API (its stage path and TLS), so stock lean-cli, whose API address is fixed, works against the stack`,
    )
    .option('--url <url>', 'the API base URL (the stack output ApiUrl: https://<id>.execute-api.<region>.amazonaws.com/<stage>/api/v2/)')
    .option('--stack <name>', 'read ApiUrl from this deployed stack’s outputs (the API stack)', collect)
    .option('--region <region>', 'AWS: the stack region (default: the AWS CLI/SDK default)')
    .option('--port <port>', 'local port (lean-cli uses 5612)', '5612')
    .option('--host <host>', 'local address to listen on (loopback unless you mean to share it)', '127.0.0.1')
    .action(async (options: ProxyCommandOptions) => {
      let upstream = options.url;
      try {
        if (!upstream && options.stack?.length) upstream = (await readStackOutputs(options.stack, options.region)).outputs.ApiUrl;
        if (!upstream) fail(options.stack?.length ? `no ApiUrl output in ${options.stack.join(', ')}` : 'give --url <API URL> or --stack <API stack name>');
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`not a port: ${options.port}`);
        await startProxy({ upstream, port, host: options.host, log: (line) => process.stdout.write(`${line}\n`) });
        process.stdout.write(
          `Forwarding http://${options.host}:${port}${LOCAL_BASE_PATH} → ${upstream}\nlean-cli needs nothing else: lean login with your user id and API token. Ctrl-C stops.\n`,
        );
      } catch (err) {
        fail(describeError(err));
      }
    });
}
