import { defineCommand } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { printJob } from '../job-views.ts';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'Show one job: status, attempts, timing, result or last error, and its attempt history.',
  usage: ['status <id>'],
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const job = await ctx.client().get(ctx.args.positional(0) as string);
    if (ctx.json) ctx.out.json(job);
    else printJob(ctx.out, job, ctx.now());
    return EXIT.OK;
  },
});
