export interface ReplayProgressState {
  label: string;
  done: number;
  total: number;
  skipped: number;
  finished: boolean;
}

/** How far a replay has got, as a progress bar and a sentence (announced when it changes). */
export function ReplayProgress(props: { state: ReplayProgressState | null }) {
  const s = props.state;
  if (!s) return null;
  return (
    <div class="replay-progress" role="status" aria-live="polite">
      <progress max={Math.max(1, s.total)} value={s.done} aria-label={s.label} />{' '}
      <span>
        {s.label}: {s.finished ? 'replayed' : 'replaying'} {s.done.toLocaleString()} of {s.total.toLocaleString()}
        {s.skipped ? `, ${s.skipped} skipped (no longer dead)` : ''}
        {s.finished ? '.' : '…'}
      </span>
    </div>
  );
}
