import type { Mutation } from './mutations.ts';
import type { DeliveryRecord, GroupRecord, ScheduleRecord } from './records.ts';

/** What a snapshot file holds. */
export interface SchedulerSnapshot {
  groups: GroupRecord[];
  schedules: ScheduleRecord[];
  deliveries: DeliveryRecord[];
}

/**
 * All groups, schedules and deliveries of one emulator, and the only code that changes them:
 * `apply` performs a Mutation, both when it is committed and when open() replays the journal.
 */
export class SchedulerState {
  readonly groups = new Map<string, GroupRecord>();
  /** Keyed by `<group>/<name>` (a name is unique within its group only). */
  private readonly schedules = new Map<string, ScheduleRecord>();
  private readonly deliveries = new Map<string, DeliveryRecord>();

  schedule(groupName: string, name: string): ScheduleRecord | undefined {
    return this.schedules.get(scheduleKey(groupName, name));
  }

  allSchedules(): ScheduleRecord[] {
    return [...this.schedules.values()];
  }

  delivery(executionId: string): DeliveryRecord | undefined {
    return this.deliveries.get(executionId);
  }

  /** Schedules whose planned invocation is due at `now`, earliest first. */
  dueSchedules(now: number): ScheduleRecord[] {
    return [...this.schedules.values()]
      .filter((s) => s.next !== null && s.next.fireAt <= now)
      .sort((a, b) => (a.next?.fireAt ?? 0) - (b.next?.fireAt ?? 0));
  }

  /** Deliveries whose next attempt is due at `now`, earliest first. */
  dueDeliveries(now: number): DeliveryRecord[] {
    return [...this.deliveries.values()].filter((d) => d.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
  }

  apply(mutation: Mutation): void {
    switch (mutation.type) {
      case 'putSchedule':
        this.schedules.set(scheduleKey(mutation.schedule.groupName, mutation.schedule.name), mutation.schedule);
        return;
      case 'deleteSchedule':
        this.schedules.delete(scheduleKey(mutation.groupName, mutation.name));
        return;
      case 'putGroup':
        this.groups.set(mutation.group.name, mutation.group);
        return;
      case 'deleteGroup':
        this.groups.delete(mutation.name);
        for (const [key, schedule] of this.schedules) {
          if (schedule.groupName === mutation.name) this.schedules.delete(key);
        }
        return;
      case 'putDelivery':
        this.deliveries.set(mutation.delivery.executionId, mutation.delivery);
        return;
      case 'deleteDelivery':
        this.deliveries.delete(mutation.executionId);
        return;
      case 'batch':
        for (const inner of mutation.mutations) this.apply(inner);
        return;
    }
  }

  snapshot(): SchedulerSnapshot {
    return { groups: [...this.groups.values()], schedules: this.allSchedules(), deliveries: [...this.deliveries.values()] };
  }

  restore(snapshot: SchedulerSnapshot): void {
    this.groups.clear();
    this.schedules.clear();
    this.deliveries.clear();
    for (const group of snapshot.groups) this.apply({ type: 'putGroup', group });
    for (const schedule of snapshot.schedules) this.apply({ type: 'putSchedule', schedule });
    for (const delivery of snapshot.deliveries) this.apply({ type: 'putDelivery', delivery });
  }
}

function scheduleKey(groupName: string, name: string): string {
  // '/' cannot occur in either name (both match [0-9a-zA-Z-_.]+).
  return `${groupName}/${name}`;
}
