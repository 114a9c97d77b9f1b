import { json } from '../format.ts';

export function JsonBlock(props: { value: unknown; label: string }) {
  return (
    <pre class="json" tabIndex={0} aria-label={props.label}>
      {json(props.value)}
    </pre>
  );
}
