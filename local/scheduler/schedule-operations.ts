import { SchedulerRequestError, groupNotFound, scheduleNotFound } from './errors.ts';
import { firstFiring } from './firing-plan.ts';
import { DEFAULT_GROUP, NAME_RULE } from './model-constraints.ts';
import type { Operation, OperationContext } from './operation-context.ts';
import { paginate } from './pagination.ts';
import { SCHEDULE_STATES, type ScheduleDefinition, type ScheduleRecord } from './records.ts';
import { checkEnum, checkString } from './request-fields.ts';
import { readScheduleRequest } from './schedule-definition.ts';
import { scheduleOutput, scheduleSummary } from './wire-shapes.ts';

/** CreateSchedule: `POST /schedules/{Name}`, everything else in the body. */
export const createSchedule: Operation = (context, request) => {
  const name = checkString('name', request.label, NAME_RULE);
  const now = context.now();
  const { groupName, clientToken, definition, expression } = readScheduleRequest(request.body, now);
  if (!context.state.groups.has(groupName)) throw groupNotFound(groupName);
  const existing = context.state.schedule(groupName, name);
  if (existing !== undefined) {
    // The SDK sends a ClientToken with every create and keeps it across its own retries: a retry
    // of a create that succeeded gets the same answer, any other create of the name a conflict.
    if (clientToken !== undefined && existing.clientToken === clientToken) return { ScheduleArn: existing.arn };
    throw new SchedulerRequestError('ConflictException', `Schedule ${name} already exists.`);
  }
  const schedule: ScheduleRecord = {
    ...definition,
    name,
    groupName,
    arn: context.scheduleArn(groupName, name),
    creationDate: now,
    lastModificationDate: now,
    ...(clientToken === undefined ? {} : { clientToken }),
    anchor: definition.startDate ?? now,
    next: null,
  };
  schedule.next = firstFiring(schedule, expression, now, () => context.random());
  context.commit({ type: 'putSchedule', schedule });
  context.scheduleChanged(schedule);
  return { ScheduleArn: schedule.arn };
};

/**
 * UpdateSchedule: `PUT /schedules/{Name}`, a full replace (members left out return to their
 * defaults, as on AWS). An update that leaves the timing alone (expression, zone, dates, state,
 * window) keeps the planned firing and rate() anchor, so editing a description neither fires a
 * rate() schedule at once nor re-arms a one-time schedule that already fired.
 */
export const updateSchedule: Operation = (context, request) => {
  const name = checkString('name', request.label, NAME_RULE);
  const now = context.now();
  const { groupName, definition, expression } = readScheduleRequest(request.body, now);
  const existing = requireSchedule(context, groupName, name);
  const sameExpression = existing.expression === definition.expression && existing.timeZone === definition.timeZone;
  const schedule: ScheduleRecord = {
    ...definition,
    name,
    groupName,
    arn: existing.arn,
    creationDate: existing.creationDate,
    lastModificationDate: now,
    ...(existing.clientToken === undefined ? {} : { clientToken: existing.clientToken }),
    anchor: definition.startDate ?? (sameExpression ? existing.anchor : now),
    next: null,
  };
  schedule.next = sameTiming(existing, definition) ? existing.next : firstFiring(schedule, expression, now, () => context.random());
  context.commit({ type: 'putSchedule', schedule });
  context.scheduleChanged(schedule);
  return { ScheduleArn: schedule.arn };
};

/** GetSchedule: `GET /schedules/{Name}?groupName=`. */
export const getSchedule: Operation = (context, request) => {
  const name = checkString('name', request.label, NAME_RULE);
  return scheduleOutput(requireSchedule(context, groupOf(request.query), name));
};

/** DeleteSchedule: `DELETE /schedules/{Name}?groupName=&clientToken=`. */
export const deleteSchedule: Operation = (context, request) => {
  const name = checkString('name', request.label, NAME_RULE);
  const groupName = groupOf(request.query);
  requireSchedule(context, groupName, name);
  context.commit({ type: 'deleteSchedule', groupName, name });
  return {};
};

/** ListSchedules: `GET /schedules?ScheduleGroup=&NamePrefix=&State=&MaxResults=&NextToken=`, ordered by name, then group. */
export const listSchedules: Operation = (context, request) => {
  const { query } = request;
  const group = optionalQuery(query, 'ScheduleGroup', 'groupName');
  const prefix = optionalQuery(query, 'NamePrefix', 'namePrefix');
  const stateText = query.get('State');
  const state = stateText === null ? undefined : checkEnum('state', stateText, SCHEDULE_STATES);
  const key = (s: ScheduleRecord): string => `${s.name} ${s.groupName}`;
  const matching = context.state
    .allSchedules()
    .filter((s) => (group === undefined || s.groupName === group) && (prefix === undefined || s.name.startsWith(prefix)))
    .filter((s) => state === undefined || s.state === state)
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const page = paginate(matching, key, query);
  return { Schedules: page.items.map(scheduleSummary), ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }) };
};

function requireSchedule(context: OperationContext, groupName: string, name: string): ScheduleRecord {
  const schedule = context.state.schedule(groupName, name);
  if (schedule === undefined) throw scheduleNotFound(name);
  return schedule;
}

function groupOf(query: URLSearchParams): string {
  return optionalQuery(query, 'groupName', 'groupName') ?? DEFAULT_GROUP;
}

function optionalQuery(query: URLSearchParams, parameter: string, field: string): string | undefined {
  const value = query.get(parameter);
  return value === null ? undefined : checkString(field, value, NAME_RULE);
}

function sameTiming(existing: ScheduleRecord, definition: ScheduleDefinition): boolean {
  return (
    existing.expression === definition.expression &&
    existing.timeZone === definition.timeZone &&
    existing.startDate === definition.startDate &&
    existing.endDate === definition.endDate &&
    existing.state === definition.state &&
    existing.flexibleTimeWindow.mode === definition.flexibleTimeWindow.mode &&
    existing.flexibleTimeWindow.maximumWindowInMinutes === definition.flexibleTimeWindow.maximumWindowInMinutes
  );
}
