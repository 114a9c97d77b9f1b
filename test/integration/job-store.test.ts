import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaleJobStateError } from '../../shared/domain/errors.ts';
import type { Job, JobStatus } from '../../shared/domain/job.ts';
import type { Priority } from '../../shared/config/definitions.ts';
import { submitJobs } from '../../shared/use-cases/submit-jobs.ts';
import { createHarness, ManualClock, type Harness } from '../support/harness.ts';
import { newJob } from '../support/job-fixture.ts';
import { CounterDeltas } from '../../shared/domain/counter-deltas.ts';

/** The DynamoDB store against dynalite over the wire: conditions, idempotency, listing. */

const job = newJob;

const NOW = Date.parse('2026-11-23T12:00:00.000Z');

describe('DynamoDbJobStore', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.stop());

  it('creates a job once: a second create of the same id returns the stored one', async () => {
    const first = await h.deps.store.create(job('create-1', { payload: { big: 1e308, empty: '', nested: [{ a: '' }] } }), 'SUBMIT', NOW);
    const second = await h.deps.store.create(job('create-1', { payload: 'other' }), 'SUBMIT', NOW);
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, existing: { id: 'create-1', payload: { big: 1e308, empty: '', nested: [{ a: '' }] } } });
  });

  it('claims a QUEUED job once; a second claim sees it RUNNING', async () => {
    await h.deps.store.create(job('claim-1', { timeoutMs: 5000 }), 'SUBMIT', NOW);
    const { after: claimed, before } = await h.deps.store.transition('claim-1', { event: 'CLAIM', newLease: { token: 'A', graceMs: 1000 } }, NOW);
    expect(before.status).toBe('QUEUED');
    expect(claimed).toMatchObject({ status: 'RUNNING', attempts: 1, leaseToken: 'A', leaseUntil: NOW + 6000 });
    const stored = await h.deps.store.get('claim-1', NOW);
    expect(stored).toMatchObject({ status: 'RUNNING', attempts: 1, leaseToken: 'A', leaseUntil: NOW + 6000 });

    const again = h.deps.store.transition('claim-1', { event: 'CLAIM', newLease: { token: 'B', graceMs: 1000 } }, NOW);
    await expect(again).rejects.toBeInstanceOf(StaleJobStateError);
    await again.catch((e: StaleJobStateError<Job>) => expect(e.current?.leaseToken).toBe('A'));
  });

  it('refuses to claim a SCHEDULED job before it is due, and claims it once due', async () => {
    const due = NOW + 60_000;
    const delayed = job('sched-1', { runAt: new Date(due).toISOString(), nextRunAt: new Date(due).toISOString() });
    expect((await h.deps.store.create(delayed, 'SUBMIT_DELAYED', NOW)).created).toBe(true);
    const claim = { event: 'CLAIM', newLease: { token: 'A', graceMs: 0 } } as const;
    await expect(h.deps.store.transition('sched-1', claim, due - 1)).rejects.toBeInstanceOf(StaleJobStateError);
    const { after: claimed, before } = await h.deps.store.transition('sched-1', claim, due);
    expect(before.status).toBe('SCHEDULED');
    expect(claimed.nextRunAt).toBeNull();
    expect((await h.deps.store.get('sched-1', due))?.nextRunAt).toBeNull();
  });

  it('reclaims a RUNNING job only after its lease ran out, and only with the stale token', async () => {
    await h.deps.store.create(job('reclaim-1', { timeoutMs: 1000 }), 'SUBMIT', NOW);
    await h.deps.store.transition('reclaim-1', { event: 'CLAIM', newLease: { token: 'old', graceMs: 0 } }, NOW);
    const reclaim = (stale: string) => ({ event: 'RECLAIM', leaseToken: stale, newLease: { token: 'new', graceMs: 0 } }) as const;
    const early = h.deps.store.transition('reclaim-1', reclaim('old'), NOW + 500);
    await expect(early).rejects.toBeInstanceOf(StaleJobStateError);
    const wrongToken = h.deps.store.transition('reclaim-1', reclaim('other'), NOW + 5000);
    await expect(wrongToken).rejects.toBeInstanceOf(StaleJobStateError);
    const { after: taken, before } = await h.deps.store.transition('reclaim-1', reclaim('old'), NOW + 5000);
    expect(before.status).toBe('RUNNING');
    expect(taken).toMatchObject({ attempts: 2, leaseToken: 'new' });
  });

  it('writes an outcome only for the lease holder', async () => {
    await h.deps.store.create(job('finish-1'), 'SUBMIT', NOW);
    await h.deps.store.transition('finish-1', { event: 'CLAIM', newLease: { token: 'A', graceMs: 0 } }, NOW);
    const wrong = h.deps.store.transition('finish-1', { event: 'SUCCEED', leaseToken: 'B' }, NOW);
    await expect(wrong).rejects.toBeInstanceOf(StaleJobStateError);
    const { after: done } = await h.deps.store.transition(
      'finish-1',
      { event: 'SUCCEED', leaseToken: 'A', changes: { result: { ok: true }, leaseToken: null, leaseUntil: null } },
      NOW,
    );
    expect(await h.deps.store.get('finish-1', NOW)).toMatchObject({ status: 'SUCCEEDED', result: { ok: true }, leaseToken: null });
    expect(done).toMatchObject({ status: 'SUCCEEDED', result: { ok: true }, leaseToken: null, leaseUntil: null });
  });

  it('refuses a guarded write on a job that moved, reporting where it stands', async () => {
    await h.seed(job('guard-1', { status: 'SUCCEEDED' }));
    const write = h.deps.store.transition('guard-1', { event: 'CANCEL' }, NOW);
    await expect(write).rejects.toBeInstanceOf(StaleJobStateError);
    await write.catch((e: StaleJobStateError<Job>) => expect(e.current?.status).toBe('SUCCEEDED'));
    await expect(h.deps.store.transition('missing', { event: 'CANCEL', from: 'QUEUED' }, NOW)).rejects.toMatchObject({
      current: null,
    });
  });

  it('deletes only from the states DELETE allows', async () => {
    await h.seed(job('del-1', { status: 'RUNNING' }));
    await expect(h.deps.store.transition('del-1', { event: 'DELETE' }, NOW)).rejects.toBeInstanceOf(StaleJobStateError);
    expect(await h.deps.store.get('del-1', NOW)).not.toBeNull();
    await h.seed(job('del-1', { status: 'SUCCEEDED' }));
    const { before, after } = await h.deps.store.transition('del-1', { event: 'DELETE' }, NOW);
    expect(before.status).toBe('SUCCEEDED');
    expect(after).toBeNull();
    expect(await h.deps.store.get('del-1', NOW)).toBeNull();
  });

  /*
   * The store's conditions come from the lifecycle table: for every event that changes an
   * existing job and every status, the write succeeds exactly where the expected matrix of
   * test/unit/lifecycle.test.ts says it may (written out here again, by hand).
   */
  const ALLOWED_FROM: Record<string, readonly JobStatus[]> = {
    CLAIM: ['SCHEDULED', 'QUEUED', 'RETRYING'],
    RECLAIM: ['RUNNING'],
    PROGRESS: ['RUNNING'],
    SUCCEED: ['RUNNING'],
    RETRY_LATER: ['RUNNING'],
    FAIL: ['RUNNING'],
    UNBLOCK: ['BLOCKED'],
    REBLOCK: ['CANCELLED', 'DEAD'],
    CANCEL: ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RETRYING', 'RUNNING'],
    DEAD_LETTER: ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RETRYING', 'RUNNING'],
    RELEASE: ['CANCELLED', 'DEAD'],
    REQUEUE: ['DEAD', 'CANCELLED'],
    DELETE: ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RETRYING', 'SUCCEEDED', 'DEAD', 'CANCELLED'],
  };
  const STATUSES: JobStatus[] = ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'DEAD', 'CANCELLED'];
  const MATRIX = Object.entries(ALLOWED_FROM).flatMap(([event, from]) =>
    STATUSES.map((status) => ({ event, status, allowed: from.includes(status) })),
  );

  it.each(MATRIX)('$event from $status: allowed = $allowed', async ({ event, status, allowed }) => {
    // Prepare: the job holds lease L, which ran out a second ago (so RECLAIM may take it).
    const id = `matrix-${event}-${status}`;
    await h.seed(job(id, { status, leaseToken: 'L', leaseUntil: NOW - 1000 }));
    const request = { event, leaseToken: 'L', newLease: { token: 'M', graceMs: 0 } } as unknown as Parameters<Harness['deps']['store']['transition']>[1];

    // Act
    const write = h.deps.store.transition(id, request, NOW);

    // Assess
    if (allowed) await expect(write).resolves.toMatchObject({ before: { status } });
    else await expect(write).rejects.toBeInstanceOf(StaleJobStateError);
  });

  it('refuses an event that needs the lease token without one, before writing', async () => {
    await h.seed(job('lease-needed', { status: 'RUNNING', leaseToken: 'L' }));
    await expect(h.deps.store.transition('lease-needed', { event: 'SUCCEED' }, NOW)).rejects.toThrow('SUCCEED needs the lease token');
    expect(await h.deps.store.get('lease-needed', NOW)).toMatchObject({ status: 'RUNNING' });
  });

  it('treats an item past its TTL as gone, before DynamoDB deletes it', async () => {
    await h.seed(job('ttl-1', { status: 'SUCCEEDED', expiresAt: Math.floor(NOW / 1000) - 1 }));
    expect(await h.deps.store.get('ttl-1', NOW)).toBeNull();
    // and its id can be taken again (an idempotency key outlived by its job)
    expect((await h.deps.store.create(job('ttl-1'), 'SUBMIT', NOW)).created).toBe(true);
  });

  it('adds counters from many writers and reads their sum per queue and type', async () => {
    const group = { queue: 'high', type: 'demo.echo' } as const;
    const other = { queue: 'low', type: 'demo.sleep' } as const;
    await Promise.all(
      Array.from({ length: 40 }, () => {
        const deltas = new CounterDeltas();
        deltas.move(group, null, 'QUEUED');
        deltas.observe(group, 'duration', 0.2);
        deltas.add(other, 'failed', 2);
        return h.deps.counters.add(deltas);
      }),
    );
    const minus = new CounterDeltas();
    minus.move(group, 'QUEUED', 'SUCCEEDED');
    await h.deps.counters.add(minus);
    const groups = await h.deps.counters.read();
    const high = groups.find((g) => g.queue === 'high' && g.type === 'demo.echo');
    expect(high?.values).toMatchObject({ status_QUEUED: 39, status_SUCCEEDED: 1, submitted: 40, succeeded: 1, duration_count: 40 });
    expect(high?.values.duration_sum).toBeCloseTo(8, 6);
    expect(high?.values.duration_b5).toBe(40); // 0.2 s falls in the 0.25 s bucket
    expect(groups.find((g) => g.queue === 'low')?.values).toEqual({ failed: 80 });
  });
});

describe('idempotency under concurrency', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.stop());

  it('20 concurrent creates with one key make exactly one job', async () => {
    const body = { type: 'demo.echo', payload: { order: 42 }, idempotencyKey: 'order-42-receipt' };
    const outcomes = (await Promise.all(Array.from({ length: 20 }, () => submitJobs([body], h.deps)))).flat();
    const created = outcomes.filter((o) => o.ok && o.status === 201);
    const replayed = outcomes.filter((o) => o.ok && o.status === 200 && o.replayed);
    expect(created).toHaveLength(1);
    expect(replayed).toHaveLength(19);
    const ids = new Set(outcomes.map((o) => (o.ok ? o.job.id : 'error')));
    expect(ids.size).toBe(1);
    expect(h.queue.sent.filter((m) => ids.has(m.jobId))).toHaveLength(1);
  });

  it('the same key with a different body is refused', async () => {
    await submitJobs([{ type: 'demo.echo', payload: 1, idempotencyKey: 'k-diff' }], h.deps);
    const [outcome] = await submitJobs([{ type: 'demo.echo', payload: 2, idempotencyKey: 'k-diff' }], h.deps);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('a body that differs only by spelled-out defaults counts as the same', async () => {
    const [a] = await submitJobs([{ type: 'demo.echo', payload: { x: 1 }, idempotencyKey: 'k-defaults' }], h.deps);
    const [b] = await submitJobs([{ type: 'demo.echo', payload: { x: 1 }, priority: 'normal', maxAttempts: 3, idempotencyKey: 'k-defaults' }], h.deps);
    expect(a).toMatchObject({ ok: true, status: 201 });
    expect(b).toMatchObject({ ok: true, status: 200, replayed: true });
  });
});

describe('listing', () => {
  let h: Harness;
  const all: Job[] = [];
  const clock = new ManualClock();
  const priorities: Priority[] = ['critical', 'high', 'normal', 'low'];
  const statuses: JobStatus[] = ['QUEUED', 'SUCCEEDED', 'DEAD', 'RUNNING', 'CANCELLED'];

  beforeAll(async () => {
    h = await createHarness({ clock });
    // 73 jobs: several share a millisecond, so ties must be broken by id.
    for (let i = 0; i < 73; i += 1) {
      if (i % 3 !== 0) clock.advance(1);
      const at = new Date(clock.now()).toISOString();
      const j = job(`list-${String(i).padStart(3, '0')}`, {
        createdAt: at,
        updatedAt: at,
        priority: priorities[i % 4] as Priority,
        status: statuses[i % 5] as JobStatus,
        type: i % 2 === 0 ? 'demo.echo' : 'demo.sleep',
      });
      all.push(j);
    }
    await Promise.all(all.map((j) => h.seed(j)));
  });
  afterAll(async () => h.stop());

  const newestFirst = (jobs: Job[]) =>
    [...jobs].sort((a, b) => (`${b.createdAt}#${b.id}` > `${a.createdAt}#${a.id}` ? 1 : -1)).map((j) => j.id);

  async function walk(query: Parameters<Harness['deps']['store']['list']>[0]): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await h.deps.store.list({ ...query, ...(cursor ? { cursor } : {}) }, clock.now());
      ids.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
      expect(pages).toBeLessThan(50);
    } while (cursor);
    return { ids, pages };
  }

  it('pages through every job newest first, without overlap or gaps', async () => {
    const { ids, pages } = await walk({ limit: 10 });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(newestFirst(all));
    expect(pages).toBe(8);
  });

  it('a page of exactly the remaining items ends the listing', async () => {
    const page = await h.deps.store.list({ limit: 73 }, clock.now());
    expect(page.items).toHaveLength(73);
    expect(page.nextCursor).toBeNull();
  });

  it.each(statuses)('lists by status %s', async (status) => {
    const { ids } = await walk({ status, limit: 4 });
    expect(ids).toEqual(newestFirst(all.filter((j) => j.status === status)));
  });

  it.each(priorities)('lists by priority %s', async (priority) => {
    const { ids } = await walk({ priority, limit: 7 });
    expect(ids).toEqual(newestFirst(all.filter((j) => j.priority === priority)));
  });

  it('combines status, priority and type filters', async () => {
    const { ids } = await walk({ status: 'QUEUED', priority: 'critical', type: 'demo.echo', limit: 2 });
    const expected = newestFirst(all.filter((j) => j.status === 'QUEUED' && j.priority === 'critical' && j.type === 'demo.echo'));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected);
  });

  it('lists dead jobs from the sparse index, following status changes', async () => {
    const dead = all.filter((j) => j.status === 'DEAD');
    const target = all.find((j) => j.status === 'QUEUED') as Job;
    await h.deps.store.transition(target.id, { event: 'DEAD_LETTER', changes: { deadReason: 'test' } }, clock.now());
    const revived = dead[0] as Job;
    await h.deps.store.transition(revived.id, { event: 'REQUEUE' }, clock.now());
    const page = await h.deps.store.listDead({ limit: 200 }, clock.now());
    const ids = page.items.map((j) => j.id);
    expect(ids).toContain(target.id);
    expect(ids).not.toContain(revived.id);
    expect(ids).toHaveLength(dead.length);
    expect(page.items.every((j) => j.status === 'DEAD')).toBe(true);
    // restore for other tests
    await h.deps.store.transition(target.id, { event: 'REQUEUE', changes: { deadReason: null } }, clock.now());
    await h.deps.store.transition(revived.id, { event: 'DEAD_LETTER' }, clock.now());
  });

  it('refuses a cursor that was not issued by the API', async () => {
    await expect(h.deps.store.list({ limit: 5, cursor: 'not-a-cursor' }, clock.now())).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
