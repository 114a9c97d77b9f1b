import { ApiError } from '../api.ts';

/** An API or network error, announced to screen readers. */
export function ErrorNotice(props: { error: Error | undefined; prefix?: string }) {
  if (!props.error) return null;
  const code = props.error instanceof ApiError ? ` (${props.error.code})` : '';
  return (
    <p role="alert" class="error">
      {props.prefix ? `${props.prefix}: ` : ''}
      {props.error.message}
      {code}
    </p>
  );
}
