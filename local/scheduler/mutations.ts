import type { DeliveryRecord, GroupRecord, ScheduleRecord } from './records.ts';

/**
 * Every change to the Scheduler emulator's state, as data. Operations and the firing loop decide
 * (validate, draw ids and random offsets, read the clock) and describe the outcome as whole
 * records to put or keys to remove, so replaying the journal needs no clock, no randomness and
 * no expression parser, and cannot drift from the emulator that answered. A `batch` is one
 * journal line, so a firing (advance the schedule, record the delivery) is all or nothing.
 */
export type Mutation =
  | { type: 'putSchedule'; schedule: ScheduleRecord }
  | { type: 'deleteSchedule'; groupName: string; name: string }
  | { type: 'putGroup'; group: GroupRecord }
  /** Removes the group and every schedule in it. */
  | { type: 'deleteGroup'; name: string }
  | { type: 'putDelivery'; delivery: DeliveryRecord }
  | { type: 'deleteDelivery'; executionId: string }
  | { type: 'batch'; mutations: Mutation[] };
