export interface ChartSeries {
  label: string;
  /** One value per minute, oldest first. */
  values: number[];
  className: string;
}

/**
 * Per-minute bars over the last hour, as an SVG; the totals are in the caption and each bar has
 * its value as a tooltip. No chart library: 60 rectangles need none.
 */
export function MinuteChart(props: { title: string; minutes: string[]; series: ChartSeries[] }) {
  const width = 600;
  const height = 120;
  const n = Math.max(1, props.minutes.length);
  const max = Math.max(1, ...props.minutes.map((_, i) => props.series.reduce((s, series) => s + (series.values[i] ?? 0), 0)));
  const barWidth = width / n;
  const totals = props.series.map((s) => `${s.label} ${s.values.reduce((a, b) => a + b, 0).toLocaleString()}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>
        <strong>{props.title}</strong> <span class="muted">last hour: {totals}; peak {max.toLocaleString()}/min</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${props.title}, last hour: ${totals}`}>
        <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} class="axis" />
        {props.minutes.map((minute, i) => {
          let y = height;
          return props.series.map((series) => {
            const value = series.values[i] ?? 0;
            if (value === 0) return null;
            const h = Math.max(1, (value / max) * (height - 4));
            y -= h;
            return (
              <rect key={`${series.label}-${i}`} x={i * barWidth + 0.5} y={y} width={Math.max(1, barWidth - 1)} height={h} class={series.className}>
                <title>{`${minute.slice(11, 16)} UTC: ${value} ${series.label}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <div class="legend">
        {props.series.map((s) => (
          <span key={s.label}>
            <i class={`swatch ${s.className}`} aria-hidden="true" /> {s.label}
          </span>
        ))}
      </div>
    </figure>
  );
}
