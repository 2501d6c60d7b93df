// Inline SVG charts for the console (issue 21 item 3): no script or stylesheet from elsewhere,
// so the strict CSP holds; each chart is an img with a title and a description, and the page
// shows the same numbers as a table.
/** A horizontal bar chart as SVG: role img, a title and a description; the numbers are also in a table next to it. */
export function BarChart({ id, title, rows }: { id: string; title: string; rows: { label: string; value: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowH = 28;
  // Room for the longest label (about 7.5 px a character at 13 px), within bounds.
  const labelW = Math.min(320, Math.max(100, Math.ceil(Math.max(0, ...rows.map((r) => r.label.length)) * 7.5) + 12));
  const barW = 300;
  const height = rows.length * rowH + 8;
  return (
    <svg class="chart" role="img" aria-labelledby={`${id}-t ${id}-d`} viewBox={`0 0 ${labelW + barW + 60} ${height}`} width="100%" data-testid={id}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{rows.map((r) => `${r.label}: ${r.value}`).join('; ')}</desc>
      {rows.map((r, i) => {
        const w = Math.round((r.value / max) * barW);
        const y = i * rowH + 4;
        return (
          <g key={r.label}>
            <text x={labelW - 8} y={y + 17} text-anchor="end" class="chart-label">
              {r.label}
            </text>
            <rect x={labelW} y={y} width={Math.max(w, 1)} height={rowH - 8} class="chart-bar" />
            <text x={labelW + Math.max(w, 1) + 6} y={y + 17} class="chart-label">
              {r.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
