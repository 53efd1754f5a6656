/**
 * The side-by-side picture as plain SVG text: one panel per query and connection count, each
 * with a bar per target for its throughput ÷ the baseline's (a solid line at the required 1.0×,
 * a dashed one at the stretch 1.2×) and a bar for its p99 latency. Pure and self-contained: no
 * scripts, no external fonts or styles, every text escaped.
 */

export interface SvgBar {
  label: string;
  /** Median req/s ÷ the baseline's. */
  ratio: number;
  p99Ms: number;
  /** A fill colour (#rrggbb); a palette colour by position otherwise. */
  color?: string;
  /**
   * Left out of the ratio scale (the node:http ceiling is 10–200× any GraphQL server): drawn to
   * the edge, marked "off scale", with its figure.
   */
  offScale?: boolean;
}

export interface SvgPanel {
  title: string;
  bars: SvgBar[];
}

export interface SideBySideChart {
  title: string;
  subtitle?: string;
  panels: SvgPanel[];
  /** The required ratio (solid line) and the stretch ratio (dashed line). */
  required: number;
  stretch: number;
}

const PALETTE = ['#2b6cb0', '#718096', '#dd6b20', '#a0aec0', '#38a169', '#805ad5'];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ms` : '—');
const ratioText = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, attrs = ''): string {
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(Math.max(0, w))}" height="${n(h)}" fill="${escapeXml(fill)}"${attrs ? ` ${attrs}` : ''}/>`;
}

function line(x1: number, y1: number, x2: number, y2: number, attrs: string): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" ${attrs}/>`;
}

export const SVG_WIDTH = 900;
const REQUIRED_STROKE = 'stroke="#c53030" stroke-width="1.5"';
const STRETCH_STROKE = 'stroke="#2f855a" stroke-width="1.5" stroke-dasharray="5 3"';

export function sideBySideSvg(chart: SideBySideChart): string {
  const W = SVG_WIDTH;
  const labelX = 16;
  const ratioX = 200; // ratio bars start here
  const ratioW = 300; // … and the largest in-scale ratio is this wide
  const p99X = 640;
  const p99W = 170;
  const barH = 14;
  const barStep = 20;
  const panelHead = 20;
  const panelGap = 16;
  const top = 112;

  const inScale = chart.panels.flatMap((p) =>
    p.bars.filter((b) => !b.offScale && Number.isFinite(b.ratio)).map((b) => b.ratio),
  );
  const scaleMax = Math.max(chart.stretch * 1.1, ...inScale) * 1.05;
  const rx = (ratio: number) => ratioX + (Math.max(0, ratio) / scaleMax) * ratioW;

  // Per panel: the bars, then the axes and reference lines over them, then the figures (with a
  // white halo, so a line crossing one does not hide it).
  const out: string[] = [];
  const halo = 'font-size="11" stroke="#ffffff" stroke-width="3" paint-order="stroke"';
  let y = top;
  for (const panel of chart.panels) {
    const bars: string[] = [];
    const labels: string[] = [text(labelX, y + 13, panel.title, 'font-size="13" font-weight="bold"')];
    const barsTop = y + panelHead;
    const barsBottom = barsTop + Math.max(1, panel.bars.length) * barStep - (barStep - barH);
    const p99s = panel.bars.map((b) => b.p99Ms).filter((v) => Number.isFinite(v));
    const p99Max = Math.max(...p99s, 0) * 1.1 || 1;
    panel.bars.forEach((bar, i) => {
      const by = barsTop + i * barStep;
      const color = bar.color ?? PALETTE[i % PALETTE.length]!;
      labels.push(text(labelX + 8, by + 11, bar.label, 'font-size="12"'));
      // Throughput ratio.
      if (Number.isFinite(bar.ratio)) {
        const off = bar.offScale === true && bar.ratio > scaleMax;
        const w = off ? ratioW : rx(bar.ratio) - ratioX;
        bars.push(rect(ratioX, by, w, barH, color, off ? 'fill-opacity="0.45"' : ''));
        labels.push(
          text(
            ratioX + w + 4,
            by + 11,
            off ? `${ratioText(bar.ratio)} (off scale)` : ratioText(bar.ratio),
            halo,
          ),
        );
      } else {
        labels.push(text(ratioX + 4, by + 11, 'no figure', 'font-size="11" fill="#a00"'));
      }
      // p99.
      if (Number.isFinite(bar.p99Ms)) {
        const w = bar.p99Ms > 0 ? Math.max(1, (bar.p99Ms / p99Max) * p99W) : 0;
        bars.push(rect(p99X, by, w, barH, color));
        labels.push(text(p99X + w + 4, by + 11, ms(bar.p99Ms), halo));
      } else {
        labels.push(text(p99X + 4, by + 11, '—', 'font-size="11"'));
      }
    });
    const lines = [
      line(ratioX, barsTop - 3, ratioX, barsBottom + 3, 'stroke="#4a5568" stroke-width="1"'),
      line(p99X, barsTop - 3, p99X, barsBottom + 3, 'stroke="#4a5568" stroke-width="1"'),
      line(rx(chart.required), barsTop - 3, rx(chart.required), barsBottom + 3, REQUIRED_STROKE),
      line(rx(chart.stretch), barsTop - 3, rx(chart.stretch), barsBottom + 3, STRETCH_STROKE),
    ];
    out.push(...bars, ...lines, ...labels);
    y = barsBottom + panelGap;
  }
  out.push(
    text(
      labelX,
      y + 6,
      'Bars: median of the rounds. * answers a fixed body whatever the query (the most one Node process serves): its ratio is off the scale.',
      'font-size="10" fill="#4a5568"',
    ),
  );
  y += 14;
  const height = Math.ceil(y + 8);

  const head = [
    rect(0, 0, W, height, '#ffffff'),
    text(labelX, 26, chart.title, 'font-size="16" font-weight="bold"'),
    ...(chart.subtitle ? [text(labelX, 46, chart.subtitle, 'font-size="11" fill="#4a5568"')] : []),
    text(ratioX, 78, 'throughput × bare Apollo baseline (median req/s)', 'font-size="12" font-weight="bold"'),
    text(p99X, 78, 'p99 latency (scale per panel)', 'font-size="12" font-weight="bold"'),
    line(rx(chart.required), 88, rx(chart.required), 100, REQUIRED_STROKE),
    text(
      rx(chart.required),
      98,
      `${chart.required.toFixed(1)}× required `,
      'font-size="10" text-anchor="end" fill="#c53030"',
    ),
    line(rx(chart.stretch), 88, rx(chart.stretch), 100, STRETCH_STROKE),
    text(rx(chart.stretch) + 4, 98, `${chart.stretch.toFixed(1)}× stretch`, 'font-size="10" fill="#2f855a"'),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" fill="#1a202c">`,
    `<title>${escapeXml(chart.title)}</title>`,
    ...head,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
