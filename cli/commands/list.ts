import { PRIORITIES } from '../../shared/config/definitions.ts';
import { JOB_STATUSES } from '../../shared/domain/job.ts';
import type { JobFilter } from '../client/index.ts';
import { collectPages } from '../collect-pages.ts';
import { defineCommand } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { parseChoice, parseInteger } from '../flag-values.ts';
import { jobColumns } from '../job-views.ts';

/** Rows shown without --limit or --all. */
export const DEFAULT_LIST_LIMIT = 50;

export const listCommand = defineCommand({
  name: 'list',
  summary: 'List jobs, newest first.',
  usage: ['list [--status <s>] [--type <t>] [--priority <p>] [--limit <n> | --all] [--cursor <c>]'],
  description: 'Shows one page of up to --limit jobs (default 50) and the cursor of the next; --all follows cursors to the end.',
  options: {
    status: { type: 'string', value: '<status>', description: JOB_STATUSES.join(', ') },
    type: { type: 'string', value: '<type>', description: 'only jobs of this type' },
    priority: { type: 'string', value: '<p>', description: `only this queue: ${PRIORITIES.join(', ')}` },
    limit: { type: 'string', value: '<n>', description: `at most this many jobs (default ${DEFAULT_LIST_LIMIT}; with --all, no limit)` },
    all: { type: 'boolean', description: 'follow cursors until every matching job is listed' },
    cursor: { type: 'string', value: '<c>', description: 'continue after a previous listing (its nextCursor)' },
  },
  positionals: { min: 0, max: 0 },
  examples: ['skyforge list --status DEAD --type email.send', 'skyforge list --all --json | jq -r ".items[].id"'],
  run: async (ctx) => {
    const { args } = ctx;
    const filter: JobFilter = {};
    const status = args.string('status');
    if (status !== undefined) filter.status = parseChoice(status, '--status', JOB_STATUSES);
    const priority = args.string('priority');
    if (priority !== undefined) filter.priority = parseChoice(priority, '--priority', PRIORITIES);
    const type = args.string('type');
    if (type !== undefined) filter.type = type;
    const limit = args.string('limit');
    const max = limit !== undefined ? parseInteger(limit, '--limit') : args.flag('all') ? Number.POSITIVE_INFINITY : DEFAULT_LIST_LIMIT;

    const client = ctx.client();
    const page = await collectPages((q) => client.listPage({ ...filter, ...q }), { max, cursor: args.string('cursor'), out: ctx.out, label: 'jobs' });
    if (ctx.json) {
      ctx.out.json(page);
      return EXIT.OK;
    }
    ctx.out.table(jobColumns(ctx.now()), page.items, 'no jobs');
    if (page.nextCursor) ctx.out.note(`more jobs: repeat with --cursor ${page.nextCursor}, or use --all`);
    return EXIT.OK;
  },
});
