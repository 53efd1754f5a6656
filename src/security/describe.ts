import { PROTECTIONS } from './protections.js';

export interface OptionRow {
  variable: string;
  default: string;
  description: string;
}

export interface ProtectionRow {
  name: string;
  phase: string;
  summary: string;
  options: OptionRow[];
}

const show = (value: unknown): string =>
  value === undefined ? 'unset' : Array.isArray(value) ? value.join(',') || 'none' : String(value);

/** Every protection with its options and their defaults, read from the option schemas themselves. */
export function describeProtections(): ProtectionRow[] {
  return PROTECTIONS.map((p) => {
    const defaults = p.env.parse({}) as Record<string, unknown>;
    const shape = p.env.shape as Record<string, { description?: string }>;
    return {
      name: p.name,
      phase: p.phase,
      summary: p.summary,
      options: Object.keys(shape).map((variable) => ({
        variable,
        default: show(defaults[variable]),
        description: shape[variable]?.description ?? '',
      })),
    };
  });
}

/** The Markdown table of docs/protections.md (checked against this source in `npm test`). */
export function protectionsTable(): string {
  const rows = describeProtections().map((p, i) => {
    const options =
      p.options.length === 0
        ? '—'
        : p.options.map((o) => `\`${o.variable}\` = ${o.default}: ${o.description}`).join('<br>');
    return `| ${i + 1} | \`${p.name}\` | ${p.phase} | ${p.summary.replace(/\|/g, '\\|')} | ${options} |`;
  });
  return [
    '| # | protection | phase | what it does | variables (default: meaning) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
