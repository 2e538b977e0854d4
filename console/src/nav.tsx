import { useOrganization } from './organization';

/** The header's sections; Admin only for the organization's admins (the admin endpoints refuse anyone else anyway). */
export function Nav(props: { hash: string }) {
  const { org } = useOrganization();
  const section = props.hash.replace(/^#\/?/, '').split('/')[0] || 'projects';
  const links = [
    { id: 'projects', href: '#/', label: 'Projects' },
    { id: 'objects', href: '#/objects', label: 'Objects' },
    ...(org?.isAdmin ? [{ id: 'admin', href: '#/admin', label: 'Admin' }] : []),
  ];
  return (
    <nav class="sections" aria-label="Sections">
      {links.map((l) => (
        <a key={l.id} href={l.href} aria-current={section === l.id ? 'page' : undefined}>
          {l.label}
        </a>
      ))}
    </nav>
  );
}
