/** A job's (or flow's) status as a coloured label; the text itself carries the meaning. */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${props.status.toLowerCase()}`}>{props.status}</span>;
}
