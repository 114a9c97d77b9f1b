import { Link } from '../components/link.tsx';

export function NotFoundView() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        This dashboard has no such page. <Link to="/">Go to the overview</Link>.
      </p>
    </section>
  );
}
