import type { ComponentChildren } from 'preact';

/** Preformatted text in a box that scrolls by itself, reachable by keyboard (like TableWrap). */
export function CodeBlock(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to be scrolled by keyboard (WCAG 2.1.1).
    <section class="code" tabIndex={0} aria-label={props.label}>
      <pre>{props.children}</pre>
    </section>
  );
}
