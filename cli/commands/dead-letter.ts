import { defineCommand } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { statusStyle } from '../job-views.ts';

export const deadLetterCommand = defineCommand({
  name: 'dead-letter',
  summary: 'Move an unfinished job to the dead-letter list by hand (DEAD, with the reason).',
  usage: ['dead-letter <id> [--reason <text>]'],
  options: { reason: { type: 'string', value: '<text>', description: 'kept on the job as deadReason' } },
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const job = await ctx.client().deadLetter(ctx.args.positional(0) as string, ctx.args.string('reason'));
    if (ctx.json) ctx.out.json(job);
    else ctx.out.line(`${job.id}: ${ctx.out.paint(job.status, statusStyle(job.status))}`);
    return EXIT.OK;
  },
});
