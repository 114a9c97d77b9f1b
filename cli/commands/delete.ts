import { defineCommand } from '../command.ts';
import { EXIT } from '../exit-codes.ts';

export const deleteCommand = defineCommand({
  name: 'delete',
  summary: 'Delete a job that is not RUNNING, with its pending message or schedule.',
  usage: ['delete <id>'],
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const id = ctx.args.positional(0) as string;
    await ctx.client().delete(id);
    if (ctx.json) ctx.out.json({ id, deleted: true });
    else ctx.out.line(`${id}: deleted`);
    return EXIT.OK;
  },
});
