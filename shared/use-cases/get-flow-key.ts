import { FlowKeyNotFoundError } from '../domain/errors.ts';
import type { FlowKeyState } from '../ports/flow-control-store.ts';
import type { Dependencies } from './dependencies.ts';

/** GET /flow-control/{key}: the key's latest limits, running jobs and deferrals; 404 for a key never seen. */
export async function getFlowKey(key: string, deps: Pick<Dependencies, 'flowControl' | 'clock'>): Promise<FlowKeyState> {
  const state = await deps.flowControl.state(key, deps.clock.now());
  if (!state) throw new FlowKeyNotFoundError(key);
  return state;
}
