/**
 * EventBridge Scheduler's REST bindings: which operation a method and path name. Copied from the
 * `http` traits of node_modules/@aws-sdk/client-scheduler/dist-es/schemas/schemas_0.js.
 */

export const SCHEDULER_OPERATIONS = [
  'CreateSchedule',
  'GetSchedule',
  'UpdateSchedule',
  'DeleteSchedule',
  'ListSchedules',
  'CreateScheduleGroup',
  'GetScheduleGroup',
  'DeleteScheduleGroup',
  'ListScheduleGroups',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
] as const;

export type SchedulerOperationName = (typeof SCHEDULER_OPERATIONS)[number];

export interface RouteMatch {
  operation: SchedulerOperationName;
  /** The path label ({Name} or {ResourceArn}), percent-decoded; '' for the list operations. */
  label: string;
}

type Collection = 'schedules' | 'schedule-groups' | 'tags';

const BY_ITEM: Record<Collection, Partial<Record<string, SchedulerOperationName>>> = {
  schedules: { POST: 'CreateSchedule', GET: 'GetSchedule', PUT: 'UpdateSchedule', DELETE: 'DeleteSchedule' },
  'schedule-groups': { POST: 'CreateScheduleGroup', GET: 'GetScheduleGroup', DELETE: 'DeleteScheduleGroup' },
  tags: { POST: 'TagResource', GET: 'ListTagsForResource', DELETE: 'UntagResource' },
};

const BY_COLLECTION: Record<Collection, Partial<Record<string, SchedulerOperationName>>> = {
  schedules: { GET: 'ListSchedules' },
  'schedule-groups': { GET: 'ListScheduleGroups' },
  tags: {},
};

const PATH = /^\/(schedules|schedule-groups|tags)(?:\/(.*))?$/;

/** True for the paths the Scheduler API uses (the edge routes on this; there is no X-Amz-Target). */
export function isSchedulerPath(path: string): boolean {
  return PATH.test(path);
}

/**
 * The operation for `method` and a raw (still percent-encoded) `path`, or undefined. The SDK
 * percent-encodes labels, '/' included, so an ARN arrives as one segment; a hand-written request
 * may leave the ARN's '/' bare, which is why everything after `/tags/` is the label.
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const match = PATH.exec(path);
  if (!match) return undefined;
  const collection = match[1] as Collection;
  const rest = match[2];
  if (rest === undefined || rest === '') {
    const operation = BY_COLLECTION[collection][method.toUpperCase()];
    return operation === undefined ? undefined : { operation, label: '' };
  }
  if (collection !== 'tags' && rest.includes('/')) return undefined;
  const operation = BY_ITEM[collection][method.toUpperCase()];
  if (operation === undefined) return undefined;
  let label: string;
  try {
    label = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  return { operation, label };
}
