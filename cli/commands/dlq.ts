import { collectPages } from '../collect-pages.ts';
import { defineCommand, type CommandContext } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { parseInteger } from '../flag-values.ts';
import { deadJobColumns, printJob } from '../job-views.ts';
import { relativeTime } from '../output.ts';
import type { FailureGroup } from '../client/index.ts';
import { DEFAULT_LIST_LIMIT } from './list.ts';

/** Jobs per POST /dlq/replay call of `dlq replay --all`, so progress moves in visible steps. */
export const REPLAY_CHUNK = 100;

export const dlqListCommand = defineCommand({
  name: 'dlq list',
  summary: 'List dead jobs (newest first) with the reason each died.',
  usage: ['dlq list [--type <t>] [--group <fingerprint>] [--limit <n> | --all] [--cursor <c>]'],
  options: {
    type: { type: 'string', value: '<type>', description: 'only dead jobs of this type' },
    group: { type: 'string', value: '<fingerprint>', description: 'only dead jobs of this failure group (see dlq groups)' },
    limit: { type: 'string', value: '<n>', description: `at most this many (default ${DEFAULT_LIST_LIMIT}; with --all, no limit)` },
    all: { type: 'boolean', description: 'follow cursors until every dead job is listed' },
    cursor: { type: 'string', value: '<c>', description: 'continue after a previous listing (its nextCursor)' },
  },
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const { args } = ctx;
    const type = args.string('type');
    const limit = args.string('limit');
    const max = limit !== undefined ? parseInteger(limit, '--limit') : args.flag('all') ? Number.POSITIVE_INFINITY : DEFAULT_LIST_LIMIT;
    const client = ctx.client();
    const group = args.string('group');
    const page = await collectPages((q) => client.dlq.listPage({ ...(type ? { type } : {}), ...(group ? { fingerprint: group } : {}), ...q }), {
      max,
      cursor: args.string('cursor'),
      out: ctx.out,
      label: 'dead jobs',
    });
    if (ctx.json) {
      ctx.out.json(page);
      return EXIT.OK;
    }
    ctx.out.table(deadJobColumns(ctx.now()), page.items, 'the dead-letter list is empty');
    if (page.nextCursor) ctx.out.note(`more dead jobs: repeat with --cursor ${page.nextCursor}, or use --all`);
    return EXIT.OK;
  },
});

export const dlqShowCommand = defineCommand({
  name: 'dlq show',
  summary: 'Show one dead job with the reason it died.',
  usage: ['dlq show <id>'],
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const job = await ctx.client().dlq.get(ctx.args.positional(0) as string);
    if (ctx.json) ctx.out.json(job);
    else printJob(ctx.out, job, ctx.now());
    return EXIT.OK;
  },
});

export const dlqReplayCommand = defineCommand({
  name: 'dlq replay',
  summary: 'Put dead jobs back in their queues with their attempts reset.',
  usage: ['dlq replay <id>', 'dlq replay --all [--type <t>] [--limit <n>]', 'dlq replay --group <fingerprint> [--limit <n>]'],
  description: [
    '--all first counts the dead jobs that match, then replays them in steps of 100 with a progress',
    'bar on a terminal. It replays at most that many, so jobs that die again while it runs are not',
    'replayed in a loop.',
  ].join('\n'),
  options: {
    all: { type: 'boolean', description: 'replay every dead job (of --type)' },
    type: { type: 'string', value: '<type>', description: 'with --all: only dead jobs of this type' },
    limit: { type: 'string', value: '<n>', description: 'with --all or --group: at most this many' },
    group: { type: 'string', value: '<fingerprint>', description: 'replay the jobs of one failure group (see dlq groups)' },
  },
  positionals: { min: 0, max: 1 },
  examples: ['skyforge dlq replay --all --type email.send'],
  run: async (ctx) => {
    const { args } = ctx;
    const id = args.positional(0);
    const group = args.string('group');
    if (group !== undefined) {
      if (id !== undefined || args.flag('all') || args.has('type')) throw new CliUsageError('--group goes alone (with --limit at most)');
      const limit = args.string('limit');
      const result = await ctx.client().dlq.replayGroup(group, limit === undefined ? {} : { limit: parseInteger(limit, '--limit') });
      if (ctx.json) ctx.out.json(result);
      else ctx.out.line(`replayed ${result.replayed} dead job${result.replayed === 1 ? '' : 's'} of group ${group}`);
      return EXIT.OK;
    }
    if (!args.flag('all')) {
      if (id === undefined) throw new CliUsageError('dlq replay needs a job id, --all or --group');
      if (args.has('type') || args.has('limit')) throw new CliUsageError('--type and --limit go with --all');
      const job = await ctx.client().dlq.replay(id);
      if (ctx.json) ctx.out.json(job);
      else ctx.out.line(`${job.id}: ${job.status}`);
      return EXIT.OK;
    }
    if (id !== undefined) throw new CliUsageError('give a job id or --all, not both');
    const limit = args.string('limit');
    return replayAll(ctx, args.string('type'), limit === undefined ? Number.POSITIVE_INFINITY : parseInteger(limit, '--limit'));
  },
});

async function replayAll(ctx: CommandContext, type: string | undefined, max: number): Promise<number> {
  const client = ctx.client();
  const filter = type ? { type } : {};
  const { items } = await collectPages((q) => client.dlq.listPage({ ...filter, ...q }), { max, out: ctx.out, label: 'counting dead jobs' });
  const matched = items.length;

  const progress = ctx.out.progress('replaying', matched);
  let replayed = 0;
  try {
    while (replayed < matched) {
      const step = await client.dlq.replayAll({ ...filter, limit: Math.min(REPLAY_CHUNK, matched - replayed) });
      if (step.replayed === 0) break; // the rest were replayed or deleted by someone else meanwhile
      replayed += step.replayed;
      progress.update(replayed);
    }
  } finally {
    progress.finish();
  }
  if (ctx.json) ctx.out.json({ matched, replayed });
  else ctx.out.line(matched === 0 ? 'no dead jobs to replay' : `replayed ${replayed} of ${matched} dead jobs${type ? ` of type ${type}` : ''}`);
  return EXIT.OK;
}

export const dlqGroupsCommand = defineCommand({
  name: 'dlq groups',
  summary: 'Dead jobs grouped by failure (type, error, message without its variable parts), largest first.',
  usage: ['dlq groups [--type <t>]'],
  description: [
    'Each group has a fingerprint: replay a whole group with `skyforge dlq replay --group <fingerprint>`,',
    'list its jobs with `skyforge dlq list --group <fingerprint>`.',
  ].join('\n'),
  options: {
    type: { type: 'string', value: '<type>', description: 'only dead jobs of this type' },
  },
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const type = ctx.args.string('type');
    const groups = await ctx.client().dlq.groups(type ? { type } : {});
    if (ctx.json) {
      ctx.out.json(groups);
      return EXIT.OK;
    }
    const now = ctx.now();
    ctx.out.table<FailureGroup>(
      [
        { header: 'FINGERPRINT', value: (g) => g.fingerprint },
        { header: 'JOBS', value: (g) => String(g.count), align: 'right' },
        { header: 'TYPE', value: (g) => g.type },
        { header: 'ERROR', value: (g) => `${g.errorName}: ${g.message}`, maxWidth: 70 },
        { header: 'FIRST', value: (g) => relativeTime(g.firstDeadAt, now) },
        { header: 'LAST', value: (g) => relativeTime(g.lastDeadAt, now) },
      ],
      groups.items,
      'the dead-letter list is empty',
    );
    if (groups.truncated) ctx.out.note(`grouped the newest ${groups.scanned} dead jobs only`);
    return EXIT.OK;
  },
});
