import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../shared/domain/errors.ts';
import { JOB_STATUS, type JobStatus } from '../../shared/domain/job.ts';
import {
  allowedFrom,
  canTransition,
  createdStatus,
  JOB_EVENT,
  nextStatus,
  TRANSITIONS,
  type FromState,
  type JobEvent,
} from '../../shared/domain/lifecycle.ts';

/*
 * The expected state machine, written out by hand from ARCHITECTURE.md ("Job lifecycle") and
 * API.md (the "allowed from" column of the transition routes), plus the design decisions:
 * CLAIM is also allowed from SCHEDULED (the "time" step is folded into the claim of an
 * SQS-delayed job), RECLAIM and PROGRESS are RUNNING -> RUNNING, RELEASE keeps the status of the
 * stopped job it writes, DELETE works from every state but RUNNING.
 * It is deliberately NOT derived from TRANSITIONS.
 */

const NO = 'refused' as const;
const GONE = null;
type Expected = JobStatus | typeof GONE | typeof NO;

/** Column order of the matrix below. 'NEW' is the job that does not exist yet. */
const FROM = ['NEW', 'BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'DEAD', 'CANCELLED'] as const;
const TERMINAL: readonly JobStatus[] = ['SUCCEEDED', 'DEAD', 'CANCELLED'];

type Row = readonly [Expected, Expected, Expected, Expected, Expected, Expected, Expected, Expected, Expected];

// prettier-ignore
const MATRIX: Record<JobEvent, Row> = {
  //               NEW          BLOCKED      SCHEDULED    QUEUED       RUNNING      RETRYING     SUCCEEDED  DEAD      CANCELLED
  SUBMIT:         ['QUEUED',    NO,          NO,          NO,          NO,          NO,          NO,        NO,       NO      ],
  SUBMIT_DELAYED: ['SCHEDULED', NO,          NO,          NO,          NO,          NO,          NO,        NO,       NO      ],
  MISSED_FIRING:  ['DEAD',      NO,          NO,          NO,          NO,          NO,          NO,        NO,       NO      ],
  // flows (API.md "Flows"): created BLOCKED, queued when the gate reaches zero, BLOCKED again by a flow retry
  BLOCK:          ['BLOCKED',   NO,          NO,          NO,          NO,          NO,          NO,        NO,       NO      ],
  UNBLOCK:        [NO,          'QUEUED',    NO,          NO,          NO,          NO,          NO,        NO,       NO      ],
  REBLOCK:        [NO,          NO,          NO,          NO,          NO,          NO,          NO,        'BLOCKED', 'BLOCKED'],
  CLAIM:          [NO,          NO,          'RUNNING',   'RUNNING',   NO,          'RUNNING',   NO,        NO,       NO      ],
  THROTTLE:       [NO,          NO,          'QUEUED',    'QUEUED',    NO,          'QUEUED',    NO,        NO,       NO      ],
  RECLAIM:        [NO,          NO,          NO,          NO,          'RUNNING',   NO,          NO,        NO,       NO      ],
  PROGRESS:       [NO,          NO,          NO,          NO,          'RUNNING',   NO,          NO,        NO,       NO      ],
  SUCCEED:        [NO,          NO,          NO,          NO,          'SUCCEEDED', NO,          NO,        NO,       NO      ],
  RETRY_LATER:    [NO,          NO,          NO,          NO,          'RETRYING',  NO,          NO,        NO,       NO      ],
  FAIL:           [NO,          NO,          NO,          NO,          'DEAD',      NO,          NO,        NO,       NO      ],
  CANCEL:         [NO,          'CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED', NO,        NO,       NO      ],
  DEAD_LETTER:    [NO,          'DEAD',      'DEAD',      'DEAD',      'DEAD',      'DEAD',      NO,        NO,       NO      ],
  RELEASE:        [NO,          NO,          NO,          NO,          NO,          NO,          NO,        'DEAD',   'CANCELLED'],
  REQUEUE:        [NO,          NO,          NO,          NO,          NO,          NO,          NO,        'QUEUED', 'QUEUED'],
  DELETE:         [NO,          GONE,        GONE,        GONE,        NO,          GONE,        GONE,      GONE,     GONE    ],
};

interface Case {
  event: JobEvent;
  from: FromState;
  expected: Expected;
  label: string;
}

const CASES: Case[] = (Object.entries(MATRIX) as [JobEvent, Row][]).flatMap(([event, row]) =>
  FROM.map((from, i) => {
    const expected = row[i] as Expected;
    return { event, from, expected, label: expected === NO ? 'refused' : expected === GONE ? 'deleted' : expected };
  }),
);
const ALLOWED = CASES.filter((c) => c.expected !== NO);
const REFUSED = CASES.filter((c) => c.expected === NO);

describe('the expected matrix itself', () => {
  it('covers every event and every state the code knows, and nothing more', () => {
    // Prepare
    const events = Object.values(JOB_EVENT);
    const statuses = Object.values(JOB_STATUS);

    // Act
    const matrixEvents = Object.keys(MATRIX);
    const matrixStates = FROM.filter((s) => s !== 'NEW');

    // Assess: a new event or state in the code must show up here as a failure until the table covers it.
    expect([...matrixEvents].sort()).toEqual([...events].sort());
    expect([...matrixStates].sort()).toEqual([...statuses].sort());
    expect(CASES).toHaveLength(18 * 9);
    expect(ALLOWED).toHaveLength(39);
  });
});

describe('allowed transitions', () => {
  it.each(ALLOWED)('$event from $from -> $label', ({ event, from, expected }) => {
    // Act
    const allowed = canTransition(from, event);
    const next = nextStatus(from, event);

    // Assess
    expect(allowed).toBe(true);
    expect(next).toBe(expected);
  });
});

describe('refused transitions', () => {
  it.each(REFUSED)('$event from $from is refused with INVALID_STATE', ({ event, from }) => {
    // Act
    const allowed = canTransition(from, event);
    let thrown: unknown;
    try {
      nextStatus(from, event);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(allowed).toBe(false);
    expect(thrown).toBeInstanceOf(InvalidStateError);
    const error = thrown as InvalidStateError;
    expect(error.code).toBe('INVALID_STATE');
    expect(error.name).toBe('InvalidStateError');
    expect(error.details.status).toBe(from);
  });
});

describe('allowedFrom (the store condition)', () => {
  const events = Object.keys(MATRIX) as JobEvent[];

  it.each(events)('%s: exactly the existing states the matrix allows', (event) => {
    // Prepare
    const row = MATRIX[event];
    const expected = FROM.filter((from, i) => from !== 'NEW' && row[i] !== NO);

    // Act
    const states = allowedFrom(event);

    // Assess
    expect([...states].sort()).toEqual([...expected].sort());
    expect(states).not.toContain('NEW');
  });

  it('CLAIM never starts from a terminal state or from NEW', () => {
    // Act
    const states: readonly string[] = allowedFrom('CLAIM');

    // Assess
    expect(states).not.toContain('NEW');
    for (const terminal of TERMINAL) expect(states).not.toContain(terminal);
    expect([...states].sort()).toEqual(['QUEUED', 'RETRYING', 'SCHEDULED']);
  });

  it('SUBMIT, SUBMIT_DELAYED, MISSED_FIRING and BLOCK have no existing state to start from', () => {
    // Act
    const submit = allowedFrom('SUBMIT');
    const delayed = allowedFrom('SUBMIT_DELAYED');
    const missed = allowedFrom('MISSED_FIRING');
    const block = allowedFrom('BLOCK');

    // Assess
    expect(submit).toEqual([]);
    expect(delayed).toEqual([]);
    expect(missed).toEqual([]);
    expect(block).toEqual([]);
  });

  it('a BLOCKED job is never claimed: only UNBLOCK queues it', () => {
    expect(allowedFrom('CLAIM')).not.toContain('BLOCKED');
    expect(allowedFrom('UNBLOCK')).toEqual(['BLOCKED']);
  });
});

describe('lease rules (who may write)', () => {
  // prettier-ignore
  const EXPECTED_LEASE: Record<JobEvent, string> = {
    SUBMIT: 'none', SUBMIT_DELAYED: 'none', MISSED_FIRING: 'none', CLAIM: 'none', CANCEL: 'none', DEAD_LETTER: 'none',
    REQUEUE: 'none', DELETE: 'none', THROTTLE: 'none', BLOCK: 'none', UNBLOCK: 'none', REBLOCK: 'none',
    // only the running attempt records its own progress, outcome and stop
    PROGRESS: 'held', SUCCEED: 'held', RETRY_LATER: 'held', FAIL: 'held', RELEASE: 'held',
    // a lost attempt is taken over only once its lease has run out
    RECLAIM: 'expired',
  };

  it.each(Object.entries(EXPECTED_LEASE))('%s: lease %s', (event, lease) => {
    expect(TRANSITIONS[event as JobEvent].lease ?? 'none').toBe(lease);
  });

  it('exactly CLAIM and RECLAIM start an attempt, and only CLAIM waits for the job to be due', () => {
    const starts = Object.entries(TRANSITIONS).filter(([, rule]) => rule.startsAttempt).map(([event]) => event);
    const waits = Object.entries(TRANSITIONS).filter(([, rule]) => rule.onlyWhenDue).map(([event]) => event);
    expect(starts.sort()).toEqual(['CLAIM', 'RECLAIM']);
    expect(waits).toEqual(['CLAIM']);
  });

  it('createdStatus names the status each create event makes, and refuses the others', () => {
    expect(createdStatus('SUBMIT')).toBe('QUEUED');
    expect(createdStatus('SUBMIT_DELAYED')).toBe('SCHEDULED');
    expect(createdStatus('MISSED_FIRING')).toBe('DEAD');
    expect(createdStatus('BLOCK')).toBe('BLOCKED');
    expect(() => createdStatus('CLAIM' as never)).toThrow('CLAIM does not create a job');
  });
});
