import type { Command } from '../command.ts';
import { cancelCommand } from './cancel.ts';
import { deadLetterCommand } from './dead-letter.ts';
import { deleteCommand } from './delete.ts';
import { devCommand } from './dev.ts';
import { initCommand } from './init.ts';
import { dlqGroupsCommand, dlqListCommand, dlqReplayCommand, dlqShowCommand } from './dlq.ts';
import { enqueueCommand } from './enqueue.ts';
import { flowsCancelCommand, flowsCreateCommand, flowsRetryCommand, flowsStatusCommand, flowsWaitCommand } from './flows.ts';
import { listCommand } from './list.ts';
import { retryCommand } from './retry.ts';
import {
  schedulesCreateCommand,
  schedulesDeleteCommand,
  schedulesListCommand,
  schedulesPauseCommand,
  schedulesResumeCommand,
  schedulesShowCommand,
  schedulesTriggerCommand,
} from './schedules.ts';
import { statsCommand } from './stats.ts';
import { limitsCommand } from './limits.ts';
import { statusCommand } from './status.ts';
import { waitCommand } from './wait.ts';
import { uiCommand } from './ui.ts';
import { watchCommand } from './watch.ts';

/** Every command, in the order `skyforge --help` lists them. */
export const COMMANDS: readonly Command[] = [
  enqueueCommand,
  statusCommand,
  waitCommand,
  listCommand,
  cancelCommand,
  retryCommand,
  deadLetterCommand,
  deleteCommand,
  dlqListCommand,
  dlqShowCommand,
  dlqReplayCommand,
  dlqGroupsCommand,
  schedulesListCommand,
  schedulesShowCommand,
  schedulesCreateCommand,
  schedulesPauseCommand,
  schedulesResumeCommand,
  schedulesTriggerCommand,
  schedulesDeleteCommand,
  flowsCreateCommand,
  flowsStatusCommand,
  flowsWaitCommand,
  flowsCancelCommand,
  flowsRetryCommand,
  statsCommand,
  limitsCommand,
  watchCommand,
  uiCommand,
  devCommand,
  initCommand,
];
