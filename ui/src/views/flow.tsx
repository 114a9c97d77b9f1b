import { api, ApiError, type Flow } from '../api.ts';
import { flowStages } from '../flow-stages.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Link } from '../components/link.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { TableScroll } from '../components/table-scroll.tsx';
import { usePoll } from '../use-poll.ts';
import { useTitle } from '../use-title.ts';

/** /ui/flows/{id}: the jobs of a flow, by stage, with their dependencies and statuses. */
export function FlowView(props: { id: string }) {
  useTitle(`Flow ${props.id}`);
  const path = `/flows/${encodeURIComponent(props.id)}`;
  const { data: flow, error } = usePoll(() => api<Flow>('GET', path), path);
  if (!flow) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <section>
        <h1>Flow {props.id}</h1>
        {missing ? <p role="alert">No flow with this id here (this deployment may not have flows yet).</p> : <ErrorNotice error={error} />}
        {!error ? <p>Loading…</p> : null}
      </section>
    );
  }
  const refOf = new Map(Object.entries(flow.jobs).map(([ref, job]) => [job.id, ref]));
  const stages = flowStages(flow.jobs);
  return (
    <section>
      <h1>
        Flow <span class="mono">{flow.id}</span> <StatusBadge status={flow.status} />
      </h1>
      <ol class="flow-stages" aria-label="Stages">
        {stages.map((stage, i) => (
          <li key={i}>
            <h2 class="small">Stage {i + 1}</h2>
            <ul>
              {stage.map(([ref, job]) => (
                <li key={ref} class="flow-node">
                  <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{ref}</Link> <StatusBadge status={job.status} />
                  {job.dependsOn?.length ? <div class="muted small">after {job.dependsOn.map((id) => refOf.get(id) ?? id).join(', ')}</div> : null}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      <TableScroll label="Jobs of the flow">
        <table>
          <thead>
            <tr>
              <th scope="col">Ref</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Depends on</th>
              <th scope="col">Job</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(flow.jobs).map(([ref, job]) => (
              <tr key={ref}>
                <th scope="row">{ref}</th>
                <td>{job.type}</td>
                <td>
                  <StatusBadge status={job.status} />
                </td>
                <td>{job.dependsOn?.length ? job.dependsOn.map((id) => refOf.get(id) ?? id).join(', ') : '—'}</td>
                <td class="mono">
                  <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.id}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
