import { defineCommand } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { flowControlText } from '../job-views.ts';

/** `skyforge limits <key>`: a flow-control key's limits and usage (GET /flow-control/{key}). */
export const limitsCommand = defineCommand({
  name: 'limits',
  summary: 'Show a flow-control key: its rate and parallelism limits, jobs running now, and how often jobs were throttled.',
  usage: ['limits <key>'],
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const state = await ctx.client().flowControl(ctx.args.positional(0) as string);
    if (ctx.json) {
      ctx.out.json(state);
      return EXIT.OK;
    }
    ctx.out.keyValues([
      ['key', state.key],
      ['limits', flowControlText(state).slice(state.key.length + 2) || '(none)'],
      ['running', state.parallelism !== null ? `${state.running} of ${state.parallelism}` : String(state.running)],
      ['throttled', `${state.throttledTotal} times`],
    ]);
    return EXIT.OK;
  },
});
