import { defineCommand } from '../command.ts';
import { startDashboardProxy } from '../dashboard-proxy.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';

export const DEFAULT_UI_PORT = 8321;

export const uiCommand = defineCommand({
  name: 'ui',
  summary: 'Open the operator dashboard for a deployed stack: served on 127.0.0.1, API calls signed with your AWS credentials.',
  usage: ['ui [--stack NAME | --url URL] [--port N] [--read-only]'],
  description: [
    'Serves the dashboard on http://127.0.0.1:<port>/ui/ and forwards its API calls to the stack,',
    'signed with SigV4 from your AWS credentials (or with --token): nothing new is exposed on AWS.',
    'Only the dashboard itself may write through it (Origin / Sec-Fetch-Site are checked);',
    '--read-only hides every write action and refuses writes with 403. Ctrl-C stops it.',
    'For the local cloud you need none of this: `npm start` serves the dashboard at http://localhost:3000/ui/.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: '<n>', description: `local port (default ${DEFAULT_UI_PORT}; 0 picks a free one)` },
    'read-only': { type: 'boolean', description: 'no write actions; the proxy refuses writes with 403' },
  },
  positionals: { min: 0, max: 0 },
  examples: ['skyforge ui --stack SkyForge', 'skyforge ui --stack SkyForge --read-only --port 9000', 'skyforge ui --url http://localhost:3000'],
  run: async (ctx) => {
    const rawPort = ctx.args.string('port');
    const port = rawPort === undefined ? DEFAULT_UI_PORT : Number(rawPort);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliUsageError(`--port must be a whole number from 0 to 65535, got ${rawPort}`, 'ui');
    const connection = ctx.connection();
    const readOnly = ctx.args.flag('read-only');
    const proxy = await startDashboardProxy({ connection, port, readOnly, log: (m) => ctx.out.stderr.write(`${m}\n`) });
    const signal = ctx.interrupted();
    if (ctx.json) ctx.out.json({ url: proxy.url, api: connection.baseUrl, readOnly });
    else {
      ctx.out.line(`SkyForge dashboard: ${proxy.url}`);
      ctx.out.stderr.write(`API ${connection.baseUrl} (${connection.source})${readOnly ? ', read-only' : ''}. Ctrl-C to stop.\n`);
    }
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await proxy.close();
    return EXIT.OK;
  },
});
