import { useMemo, useState } from 'preact/hooks';
import { api, PRIORITIES, type Job, type Page, type Schedule } from '../api.ts';
import { useApp } from '../app-context.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Link } from '../components/link.tsx';
import { EmptyRow, TableScroll } from '../components/table-scroll.tsx';
import { dateTime } from '../format.ts';
import { previewFirings, scheduleFirings } from '../schedule-preview.ts';
import { usePoll } from '../use-poll.ts';
import { useTitle } from '../use-title.ts';

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** /ui/schedules: every schedule with its next 5 firings and actions, and a create form with a live preview. */
export function SchedulesView() {
  useTitle('Schedules');
  const app = useApp();
  const list = usePoll(() => api<Page<Schedule>>('GET', '/schedules?limit=200'), 'schedules');
  const [actionError, setActionError] = useState<Error | undefined>();

  const act = async (label: string, name: string, call: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      const outcome = await call();
      const job = outcome && typeof outcome === 'object' && 'id' in outcome ? (outcome as Job) : null;
      app.notify(job ? `${label} ${name}: job ${job.id} created.` : `${label} ${name}: done.`);
      await list.refresh();
    } catch (error) {
      setActionError(error as Error);
    }
  };

  return (
    <section>
      <h1>Schedules</h1>
      <ErrorNotice error={list.error} />
      <ErrorNotice error={actionError} prefix="The action failed" />
      <TableScroll label="Schedules">
        <table class="schedules">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Expression</th>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col">Next 5 firings</th>
              {!app.readOnly ? (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((s) => {
              const firings = scheduleFirings(s);
              return (
                <tr key={s.name}>
                  <th scope="row">
                    {s.name}
                    {s.description ? <div class="muted small">{s.description}</div> : null}
                  </th>
                  <td class="mono">
                    {s.expression}
                    <div class="muted small">{s.timezone}</div>
                  </td>
                  <td>
                    <Link to={`/jobs?type=${encodeURIComponent(s.job.type)}`}>{s.job.type}</Link>
                    <div class="muted small">{s.job.priority ?? 'normal'}</div>
                  </td>
                  <td>
                    <span class={`badge ${s.enabled ? 'status-succeeded' : 'status-cancelled'}`}>{s.enabled ? 'active' : 'paused'}</span>
                  </td>
                  <td>
                    {firings.length === 0 ? (
                      <span class="muted">{s.enabled ? 'none ahead' : 'paused'}</span>
                    ) : (
                      <ol class="firings">
                        {firings.map((t) => (
                          <li key={t}>
                            <time dateTime={new Date(t).toISOString()}>{dateTime(t, s.timezone)}</time>
                          </li>
                        ))}
                      </ol>
                    )}
                  </td>
                  {!app.readOnly ? (
                    <td>
                      <div class="row-actions">
                        {s.enabled ? (
                          <ConfirmButton label="Pause" question={`Pause schedule ${s.name}? It will not fire until resumed.`} onConfirm={() => act('Pause', s.name, () => api('POST', `/schedules/${encodeURIComponent(s.name)}/pause`, {}))} />
                        ) : (
                          <ConfirmButton label="Resume" question={`Resume schedule ${s.name}?`} onConfirm={() => act('Resume', s.name, () => api('POST', `/schedules/${encodeURIComponent(s.name)}/resume`, {}))} />
                        )}
                        <ConfirmButton label="Trigger" question={`Run schedule ${s.name} once now?`} onConfirm={() => act('Trigger', s.name, () => api('POST', `/schedules/${encodeURIComponent(s.name)}/trigger`, {}))} />
                        <ConfirmButton label="Delete" danger question={`Delete schedule ${s.name}?`} onConfirm={() => act('Delete', s.name, () => api('DELETE', `/schedules/${encodeURIComponent(s.name)}`))} />
                      </div>
                    </td>
                  ) : null}
                </tr>
              );
            })}
            {list.data && list.data.items.length === 0 ? <EmptyRow columns={6}>No schedules yet.</EmptyRow> : null}
          </tbody>
        </table>
      </TableScroll>
      {!app.readOnly ? <CreateScheduleForm onCreated={list.refresh} /> : null}
    </section>
  );
}

function CreateScheduleForm(props: { onCreated: () => Promise<void> }) {
  const app = useApp();
  const [name, setName] = useState('');
  const [expression, setExpression] = useState('cron(0 2 * * ? *)');
  const [timezone, setTimezone] = useState(browserZone);
  const [type, setType] = useState('demo.echo');
  const [priority, setPriority] = useState('normal');
  const [payload, setPayload] = useState('{}');
  const [error, setError] = useState<Error | undefined>();
  const [saving, setSaving] = useState(false);

  const preview = useMemo(() => previewFirings(expression.trim(), timezone.trim()), [expression, timezone]);
  const payloadError = useMemo(() => {
    try {
      JSON.parse(payload || 'null');
      return null;
    } catch (e) {
      return `payload is not JSON: ${(e as Error).message}`;
    }
  }, [payload]);
  const valid = preview.ok && !payloadError && name.trim() !== '' && type.trim() !== '';

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!valid) return;
    setSaving(true);
    setError(undefined);
    try {
      await api('POST', '/schedules', {
        name: name.trim(),
        expression: expression.trim(),
        timezone: timezone.trim(),
        job: { type: type.trim(), payload: JSON.parse(payload || 'null'), priority },
        enabled: true,
      });
      app.notify(`Schedule ${name.trim()} created.`);
      setName('');
      await props.onCreated();
    } catch (err) {
      setError(err as Error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="create-schedule" aria-labelledby="create-schedule-title" onSubmit={submit}>
      <h2 id="create-schedule-title">New schedule</h2>
      <div class="form-grid">
        <label>
          Name
          <input required value={name} pattern="[0-9A-Za-z_\-][0-9A-Za-z._\-]{0,59}" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          Expression
          <input
            class="mono"
            value={expression}
            aria-invalid={preview.ok ? 'false' : 'true'}
            aria-describedby="expression-check"
            onInput={(e) => setExpression((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Time zone
          <input value={timezone} onInput={(e) => setTimezone((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          Job type
          <input required value={type} onInput={(e) => setType((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          Priority
          <select value={priority} onChange={(e) => setPriority((e.currentTarget as HTMLSelectElement).value)}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label class="wide">
          Payload (JSON)
          <textarea class="mono" rows={3} value={payload} aria-invalid={payloadError ? 'true' : 'false'} onInput={(e) => setPayload((e.currentTarget as HTMLTextAreaElement).value)} />
        </label>
      </div>
      <div id="expression-check" class="preview" aria-live="polite">
        {preview.ok ? (
          preview.times.length ? (
            <>
              <strong>Next firings</strong> ({timezone}):
              <ol class="firings">
                {preview.times.map((t) => (
                  <li key={t}>
                    <time dateTime={new Date(t).toISOString()}>{dateTime(t, timezone)}</time>
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <span>This expression never fires again.</span>
          )
        ) : (
          <span class="error">Invalid expression: {preview.error}</span>
        )}
        {payloadError ? <p class="error">{payloadError}</p> : null}
      </div>
      <ErrorNotice error={error} prefix="Not saved" />
      <button type="submit" class="primary" disabled={!valid || saving}>
        Create schedule
      </button>
    </form>
  );
}
