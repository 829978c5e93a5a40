/** A small, dependency-free SVG bar chart with a text table for screen readers. */
export function BarChart({
  label,
  points,
  format,
}: {
  label: string;
  points: Array<{ label: string; value: number | null }>;
  format: (value: number) => string;
}) {
  if (points.length === 0) return <p className="muted">No data in this period.</p>;
  const max = Math.max(1, ...points.map((p) => p.value ?? 0));
  const width = 760;
  const height = 200;
  const gap = 4;
  const barWidth = Math.min(48, Math.max(4, (width - gap * points.length) / points.length));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 24}`} role="img" aria-label={label} preserveAspectRatio="none">
        {[0.25, 0.5, 0.75, 1].map((share) => (
          <line
            key={share}
            x1={0}
            x2={width}
            y1={height - share * height}
            y2={height - share * height}
            className="grid"
          />
        ))}
        {points.map((point, index) => {
          const h = point.value === null ? 0 : (point.value / max) * (height - 8);
          const x = index * (barWidth + gap);
          return (
            <g key={point.label}>
              <rect x={x} y={height - h} width={barWidth} height={h} rx={2} className="bar">
                <title>
                  {point.label}: {point.value === null ? 'no data' : format(point.value)}
                </title>
              </rect>
              {(points.length <= 14 || index % Math.ceil(points.length / 10) === 0) && (
                <text x={x + barWidth / 2} y={height + 16} textAnchor="middle" className="axis">
                  {point.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small">Highest: {format(max)}</figcaption>
      <table className="visually-hidden">
        <caption>{label}</caption>
        <tbody>
          {points.map((point) => (
            <tr key={point.label}>
              <th scope="row">{point.label}</th>
              <td>{point.value === null ? 'no data' : format(point.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
