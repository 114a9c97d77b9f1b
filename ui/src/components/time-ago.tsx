import { dateTime, relative } from '../format.ts';

/** A relative time with the exact instant as its tooltip and machine-readable value. */
export function TimeAgo(props: { at: string | null | undefined }) {
  if (!props.at) return <span>—</span>;
  return (
    <time dateTime={props.at} title={dateTime(props.at)}>
      {relative(props.at)}
    </time>
  );
}
