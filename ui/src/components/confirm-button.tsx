import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

export interface ConfirmButtonProps {
  /** The button's visible name (Retry, Cancel, Send to DLQ, Delete, Replay, ...). */
  label: string;
  /** The question the confirmation asks. */
  question: string;
  children?: ComponentChildren;
  danger?: boolean;
  disabled?: boolean;
  /** Runs after the operator confirmed; errors are shown by the caller. */
  onConfirm: () => Promise<void> | void;
}

/**
 * An action button that asks first, in a modal <dialog> (focus moves into it, Esc closes it,
 * focus returns to the button). The dialog's confirm button carries the same name as the action.
 */
export function ConfirmButton(props: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return (
    <>
      <button type="button" class={props.danger ? 'danger' : undefined} disabled={props.disabled || busy} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.question}>
        <form method="dialog" onSubmit={(e) => e.preventDefault()}>
          <p class="question">{props.question}</p>
          {props.children}
          <div class="actions">
            <button type="button" class={props.danger ? 'danger' : 'primary'} disabled={busy} onClick={confirm}>
              {props.label}
            </button>
            <button type="button" autofocus onClick={() => dialog.current?.close()}>
              Back
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
