import { PRIORITIES } from '../../shared/config/definitions.ts';
import type { ScheduleCreateInput, ScheduleJobTemplate, ScheduleView, UntypedJobs } from '../client/index.ts';
import { defineCommand, type CommandContext } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { parseChoice, parseInteger, parseJson } from '../flag-values.ts';
import { inlineJson, scheduleColumns } from '../job-views.ts';
import { relativeTime } from '../output.ts';

function printSchedule(ctx: CommandContext, s: ScheduleView): void {
  const now = ctx.now();
  ctx.out.keyValues([
    ['name', s.name],
    ['expression', s.expression],
    ['timezone', s.timezone],
    ['state', s.enabled ? ctx.out.paint('enabled', 'green') : ctx.out.paint('paused', 'yellow')],
    ['next run', s.nextRunAt ? `${s.nextRunAt} (${relativeTime(s.nextRunAt, now)})` : '-'],
    ['job', `${s.job.type}${s.job.priority ? ` (${s.job.priority})` : ''}`],
    ['payload', s.job.payload === undefined ? null : inlineJson(s.job.payload, 200)],
    ['description', s.description],
    ['start', s.startDate],
    ['end', s.endDate],
  ]);
}

/** The commands that take just a schedule name and answer the schedule. */
function nameCommand(verb: 'pause' | 'resume', summary: string) {
  return defineCommand({
    name: `schedules ${verb}`,
    summary,
    usage: [`schedules ${verb} <name>`],
    options: {},
    positionals: { min: 1, max: 1 },
    run: async (ctx) => {
      const schedule = await ctx.client().schedules[verb](ctx.args.positional(0) as string);
      if (ctx.json) ctx.out.json(schedule);
      else printSchedule(ctx, schedule);
      return EXIT.OK;
    },
  });
}

export const schedulesListCommand = defineCommand({
  name: 'schedules list',
  summary: 'List the recurring schedules with their next run.',
  usage: ['schedules list'],
  options: {},
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const items: ScheduleView[] = [];
    for await (const schedule of ctx.client().schedules.list({ pageSize: 200 })) items.push(schedule);
    if (ctx.json) ctx.out.json({ items });
    else ctx.out.table(scheduleColumns(ctx.now()), items, 'no schedules');
    return EXIT.OK;
  },
});

export const schedulesShowCommand = defineCommand({
  name: 'schedules show',
  summary: 'Show one schedule.',
  usage: ['schedules show <name>'],
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const schedule = await ctx.client().schedules.get(ctx.args.positional(0) as string);
    if (ctx.json) ctx.out.json(schedule);
    else printSchedule(ctx, schedule);
    return EXIT.OK;
  },
});

export const schedulesCreateCommand = defineCommand({
  name: 'schedules create',
  summary: 'Create a recurring schedule: every firing creates one job.',
  usage: ['schedules create --name <name> --expression <expr> --type <job-type> [--payload <json>] [--timezone <tz>] [--priority <p>]'],
  description: [
    'Expressions are EventBridge Scheduler\'s: cron(min hour day-of-month month day-of-week year), 6 fields',
    'with "?" in one day field, or rate(n minute|minutes|hour|hours|day|days). See docs/scheduling.md.',
  ].join('\n'),
  options: {
    name: { type: 'string', value: '<name>', description: '1-60 letters, digits, "-", "_" or "."' },
    expression: { type: 'string', value: '<expr>', description: 'cron(0 2 * * ? *) or rate(5 minutes)' },
    timezone: { type: 'string', value: '<tz>', description: 'IANA zone the cron fields are read in (default UTC)' },
    type: { type: 'string', value: '<job-type>', description: 'the job type each firing creates' },
    payload: { type: 'string', value: '<json>', description: "the job's payload" },
    priority: { type: 'string', value: '<p>', description: `the job's queue: ${PRIORITIES.join(', ')}` },
    'max-attempts': { type: 'string', value: '<n>', description: "the job's attempts" },
    description: { type: 'string', value: '<text>', description: 'free text' },
    paused: { type: 'boolean', description: 'create it paused (resume it later)' },
  },
  positionals: { min: 0, max: 0 },
  examples: [`skyforge schedules create --name nightly-report --expression 'cron(0 2 * * ? *)' --timezone Europe/Berlin --type demo.echo --payload '{"report":"daily"}'`],
  run: async (ctx) => {
    const { args } = ctx;
    const required = (flag: string): string => {
      const value = args.string(flag);
      if (value === undefined || value === '') throw new CliUsageError(`schedules create needs --${flag}`);
      return value;
    };
    const job: Record<string, unknown> = { type: required('type') };
    const payload = args.string('payload');
    if (payload !== undefined) job.payload = parseJson(payload, '--payload');
    const priority = args.string('priority');
    if (priority !== undefined) job.priority = parseChoice(priority, '--priority', PRIORITIES);
    const maxAttempts = args.string('max-attempts');
    if (maxAttempts !== undefined) job.maxAttempts = parseInteger(maxAttempts, '--max-attempts');
    const input: ScheduleCreateInput<UntypedJobs> = {
      name: required('name'),
      expression: required('expression'),
      job: job as ScheduleJobTemplate<UntypedJobs>,
      enabled: !args.flag('paused'),
    };
    const timezone = args.string('timezone');
    if (timezone !== undefined) input.timezone = timezone;
    const description = args.string('description');
    if (description !== undefined) input.description = description;

    const schedule = await ctx.client().schedules.create(input);
    if (ctx.json) ctx.out.json(schedule);
    else printSchedule(ctx, schedule);
    return EXIT.OK;
  },
});

export const schedulesPauseCommand = nameCommand('pause', 'Stop the firings of a schedule (nextRunAt becomes null).');
export const schedulesResumeCommand = nameCommand('resume', 'Start the firings of a paused schedule again.');

export const schedulesTriggerCommand = defineCommand({
  name: 'schedules trigger',
  summary: 'Run one firing of a schedule now; prints the job it created.',
  usage: ['schedules trigger <name>'],
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const name = ctx.args.positional(0) as string;
    const job = await ctx.client().schedules.trigger(name);
    if (ctx.json) ctx.out.json(job);
    else ctx.out.line(`triggered ${name}: job ${job.id} (${job.type}, ${job.priority}): ${job.status}`);
    return EXIT.OK;
  },
});

export const schedulesDeleteCommand = defineCommand({
  name: 'schedules delete',
  summary: 'Delete a schedule (jobs it already created stay).',
  usage: ['schedules delete <name>'],
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const name = ctx.args.positional(0) as string;
    await ctx.client().schedules.delete(name);
    if (ctx.json) ctx.out.json({ name, deleted: true });
    else ctx.out.line(`${name}: deleted`);
    return EXIT.OK;
  },
});
