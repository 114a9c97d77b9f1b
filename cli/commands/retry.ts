import { defineCommand } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { statusStyle } from '../job-views.ts';

export const retryCommand = defineCommand({
  name: 'retry',
  summary: 'Put a DEAD or CANCELLED job back in its queue.',
  usage: ['retry <id> [--reset-attempts]'],
  description: 'From any other status the API answers INVALID_STATE (exit 3).',
  options: { 'reset-attempts': { type: 'boolean', description: 'start counting attempts from zero again' } },
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const job = await ctx.client().retry(ctx.args.positional(0) as string, { resetAttempts: ctx.args.flag('reset-attempts') });
    if (ctx.json) ctx.out.json(job);
    else ctx.out.line(`${job.id}: ${ctx.out.paint(job.status, statusStyle(job.status))} (attempts ${job.attempts} of ${job.maxAttempts})`);
    return EXIT.OK;
  },
});
