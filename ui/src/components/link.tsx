import type { ComponentChildren } from 'preact';
import { BASE, onLinkClick } from '../router.ts';

/** A link to a dashboard view: `to` is relative to /ui ("/jobs/01K..."). */
export function Link(props: { to: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined }) {
  return (
    <a href={`${BASE}${props.to}`} onClick={onLinkClick} class={props.class} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}
