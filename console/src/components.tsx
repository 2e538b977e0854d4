import type { ComponentChildren } from 'preact';

/** Small pieces shared by the pages. */
export function Loading() {
  return (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  );
}

export function Failure(props: { message: string }) {
  return (
    <p class="error" role="alert">
      {props.message}
    </p>
  );
}

/** A table that scrolls sideways inside its own box on narrow screens, reachable by keyboard. */
export function TableWrap(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to be scrolled by keyboard (WCAG 2.1.1).
    <section class="table-wrap" tabIndex={0} aria-label={props.label}>
      {props.children}
    </section>
  );
}
