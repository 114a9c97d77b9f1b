import { SchedulerRequestError, groupNotFound, validationError } from './errors.ts';
import { CLIENT_TOKEN_RULE, DEFAULT_GROUP, MAX_SCHEDULE_GROUPS, NAME_RULE } from './model-constraints.ts';
import type { Operation } from './operation-context.ts';
import { paginate } from './pagination.ts';
import type { GroupRecord } from './records.ts';
import { checkString } from './request-fields.ts';
import { readTags } from './tag-operations.ts';
import { groupOutput } from './wire-shapes.ts';

/** CreateScheduleGroup: `POST /schedule-groups/{Name}` with Tags and ClientToken in the body. */
export const createScheduleGroup: Operation = (context, request) => {
  const name = checkString('name', request.label, NAME_RULE);
  const clientToken = request.body.string('ClientToken', CLIENT_TOKEN_RULE);
  const tags = readTags(request.body, false);
  const existing = context.state.groups.get(name);
  if (existing !== undefined) {
    // A retry of a create that succeeded (same token) gets the same answer; anything else conflicts.
    if (clientToken !== undefined && existing.clientToken === clientToken) return { ScheduleGroupArn: existing.arn };
    throw new SchedulerRequestError('ConflictException', `Schedule group ${name} already exists.`);
  }
  if (context.state.groups.size >= MAX_SCHEDULE_GROUPS) {
    throw new SchedulerRequestError(
      'ServiceQuotaExceededException',
      `The quota of ${MAX_SCHEDULE_GROUPS} schedule groups per account and Region has been reached.`,
    );
  }
  const now = context.now();
  const group: GroupRecord = {
    name,
    arn: context.groupArn(name),
    creationDate: now,
    lastModificationDate: now,
    tags,
    ...(clientToken === undefined ? {} : { clientToken }),
  };
  context.commit({ type: 'putGroup', group });
  return { ScheduleGroupArn: group.arn };
};

/** GetScheduleGroup: `GET /schedule-groups/{Name}`. */
export const getScheduleGroup: Operation = (context, request) => {
  const name = checkString('name', request.label, NAME_RULE);
  const group = context.state.groups.get(name);
  if (group === undefined) throw groupNotFound(name);
  return groupOutput(group);
};

/**
 * DeleteScheduleGroup: `DELETE /schedule-groups/{Name}`. On AWS the group turns DELETING and
 * its schedules go over the next minutes; here both go at once, so no schedule of a deleted
 * group can fire after the answer.
 */
export const deleteScheduleGroup: Operation = (context, request) => {
  const name = checkString('name', request.label, NAME_RULE);
  if (name === DEFAULT_GROUP) throw validationError('The default schedule group cannot be deleted.');
  if (!context.state.groups.has(name)) throw groupNotFound(name);
  context.commit({ type: 'deleteGroup', name });
  return {};
};

/** ListScheduleGroups: `GET /schedule-groups?NamePrefix=&MaxResults=&NextToken=`, ordered by name. */
export const listScheduleGroups: Operation = (context, request) => {
  const prefixText = request.query.get('NamePrefix');
  const prefix = prefixText === null ? undefined : checkString('namePrefix', prefixText, NAME_RULE);
  const matching = [...context.state.groups.values()]
    .filter((g) => prefix === undefined || g.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = paginate(matching, (g) => g.name, request.query);
  return { ScheduleGroups: page.items.map(groupOutput), ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }) };
};
