import type { ComponentChildren } from 'preact';

/** A table that scrolls sideways on a narrow screen; focusable so the keyboard can scroll it too. */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}

/** The one row a table shows when it has nothing (or nothing yet) to list. */
export function EmptyRow(props: { columns: number; children: ComponentChildren }) {
  return (
    <tr>
      <td colSpan={props.columns} class="empty">
        {props.children}
      </td>
    </tr>
  );
}
