import { defineCommand } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { statusStyle } from '../job-views.ts';

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: "Cancel a job that has not finished (a RUNNING job's handler sees its AbortSignal fire).",
  usage: ['cancel <id> [--reason <text>]'],
  description: 'Allowed from SCHEDULED, QUEUED, RETRYING and RUNNING; from any other status the API answers INVALID_STATE (exit 3).',
  options: { reason: { type: 'string', value: '<text>', description: 'kept on the job as cancelReason' } },
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const job = await ctx.client().cancel(ctx.args.positional(0) as string, ctx.args.string('reason'));
    if (ctx.json) ctx.out.json(job);
    else ctx.out.line(`${job.id}: ${ctx.out.paint(job.status, statusStyle(job.status))}`);
    return EXIT.OK;
  },
});
