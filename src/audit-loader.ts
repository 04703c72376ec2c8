/**
 * The markup audit (docs/behaviour.md, Markup audit) is a file of its own, `querytrail-audit.js`,
 * in the directory QueryTrail's own file came from (`from`, that file's URL): the script carries
 * only this loader, and the audit's bytes are paid by whoever opens it. Returns what opens it, and
 * opens it at once where the page URL asks for it with `querytrail-debug=audit`. The audit finds
 * the running instance by itself, and guards against being opened twice.
 */
export function auditLoader(from: string | undefined): () => void {
  const open = () => {
    const script = document.createElement('script');
    // Without a file URL (QueryTrail's code inlined in the page), the page's own directory: a
    // missing base would throw, at start too, where it would stop QueryTrail from starting.
    // size: the URL object is turned into its text by the property itself; `.href` would cost 5 bytes.
    script.src = new URL('querytrail-audit.js', from || location.href) as unknown as string;
    document.head.append(script);
  };
  if (location.href.includes('querytrail-debug=audit')) open();
  return open;
}
