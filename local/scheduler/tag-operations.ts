import { groupNotFound, validationError } from './errors.ts';
import { MAX_TAGS_PER_RESOURCE, TAGGABLE_ARN_RULE, TAG_KEY_RULE, TAG_VALUE_RULE } from './model-constraints.ts';
import type { Operation, OperationContext } from './operation-context.ts';
import type { GroupRecord, Tag } from './records.ts';
import { checkString, type RequestFields } from './request-fields.ts';

/** TagResource: `POST /tags/{ResourceArn}`; a key that exists gets the new value. */
export const tagResource: Operation = (context, request) => {
  const group = requireTaggable(context, request.label);
  const tags = new Map(group.tags.map((t) => [t.key, t.value]));
  for (const tag of readTags(request.body, true)) tags.set(tag.key, tag.value);
  context.commit({ type: 'putGroup', group: { ...group, tags: checkedTagCount(tags) } });
  return {};
};

/** UntagResource: `DELETE /tags/{ResourceArn}?TagKeys=a&TagKeys=b`. */
export const untagResource: Operation = (context, request) => {
  const group = requireTaggable(context, request.label);
  const keys = request.query.getAll('TagKeys');
  if (keys.length === 0) {
    throw validationError("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
  }
  for (const key of keys) checkString('tagKeys.member', key, TAG_KEY_RULE);
  const removed = new Set(keys);
  context.commit({ type: 'putGroup', group: { ...group, tags: group.tags.filter((t) => !removed.has(t.key)) } });
  return {};
};

/** ListTagsForResource: `GET /tags/{ResourceArn}`. */
export const listTagsForResource: Operation = (context, request) => {
  const group = requireTaggable(context, request.label);
  return { Tags: group.tags.map((t) => ({ Key: t.key, Value: t.value })) };
};

/** The `Tags` member of CreateScheduleGroup and TagResource (a list of {Key, Value}). */
export function readTags(body: RequestFields, required: boolean): Tag[] {
  const list = body.objectList('Tags');
  if (list === undefined) {
    if (required) throw validationError("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    return [];
  }
  const tags = new Map<string, string>();
  for (const entry of list) {
    tags.set(entry.string('Key', { ...TAG_KEY_RULE, required: true }), entry.string('Value', { ...TAG_VALUE_RULE, required: true }));
  }
  return checkedTagCount(tags);
}

function checkedTagCount(tags: Map<string, string>): Tag[] {
  if (tags.size > MAX_TAGS_PER_RESOURCE) throw validationError(`A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags.`);
  return [...tags].map(([key, value]) => ({ key, value }));
}

/** Only schedule groups carry tags in Scheduler; the ARN must name one of this emulator's. */
function requireTaggable(context: OperationContext, arn: string): GroupRecord {
  checkString('resourceArn', arn, TAGGABLE_ARN_RULE);
  const name = arn.slice(arn.indexOf(':schedule-group/') + ':schedule-group/'.length);
  const group = context.state.groups.get(name);
  if (group === undefined || group.arn !== arn) throw groupNotFound(name);
  return group;
}
