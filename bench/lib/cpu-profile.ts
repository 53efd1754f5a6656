/**
 * A V8 .cpuprofile (what `node --cpu-prof` writes) reduced to self time per function and per
 * area (a package under node_modules, a folder of src/, a Node core module, or one of V8's own
 * pseudo-frames). Pure: text in, figures out; no I/O, so it is unit-tested on its own.
 *
 * The format: `nodes` form the call tree (each with a callFrame {functionName, url, lineNumber}
 * and the ids of its children); `samples[i]` is the id of the node on top of the stack at sample
 * i, taken `timeDeltas[i]` µs after the previous one (the first after `startTime`). Sample i
 * counts for the time until the next sample, as in Chrome's DevTools.
 */

export interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based; -1 for V8's pseudo-frames. */
  lineNumber: number;
  /** 0-based; -1 when unknown. */
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** µs, on the monotonic clock (the one `process.hrtime` reads). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionEntry {
  functionName: string;
  /** `src/security/http/cors.ts:41`, `graphql/execution/execute.js:120`, `node:net:1200`, or '' (native). */
  location: string;
  area: string;
  selfUs: number;
  samples: number;
  /** Share of the time of every sample in the window, idle included. */
  percent: number;
}

export interface AreaEntry {
  area: string;
  selfUs: number;
  samples: number;
  percent: number;
}

export interface ProfileSummary {
  samples: number;
  totalUs: number;
  /** The part of the profile that was summarised, µs on the profile's clock. */
  fromUs: number;
  toUs: number;
  /** Sorted by self time, largest first. */
  functions: FunctionEntry[];
  areas: AreaEntry[];
}

export interface SummaryOptions {
  /** The project directory (absolute path): files under it are shown relative to it. */
  root: string;
  /** Only samples taken in [fromUs, toUs) count (e.g. the load phase, not start-up). */
  window?: { fromUs: number; toUs: number };
  /**
   * Maps a position in compiled code back to the source line (all 0-based), for files compiled
   * on the fly (tsx puts each TypeScript file on one long line): undefined when it cannot.
   */
  originalLine?: (url: string, line: number, column: number) => number | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNumberArray = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number');

/** Parses and checks the shape of a .cpuprofile; throws on anything else. */
export function parseCpuProfile(text: string): CpuProfile {
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw) || !Array.isArray(raw.nodes)) throw new Error('not a .cpuprofile: no nodes');
  const nodes: ProfileNode[] = raw.nodes.map((n: unknown, i: number) => {
    if (!isRecord(n) || typeof n.id !== 'number' || !isRecord(n.callFrame)) {
      throw new Error(`not a .cpuprofile: node ${i} has no id or callFrame`);
    }
    const cf = n.callFrame;
    return {
      id: n.id,
      callFrame: {
        functionName: typeof cf.functionName === 'string' ? cf.functionName : '',
        url: typeof cf.url === 'string' ? cf.url : '',
        lineNumber: typeof cf.lineNumber === 'number' ? cf.lineNumber : -1,
        columnNumber: typeof cf.columnNumber === 'number' ? cf.columnNumber : -1,
      },
      ...(typeof n.hitCount === 'number' ? { hitCount: n.hitCount } : {}),
    };
  });
  const samples = raw.samples ?? [];
  const timeDeltas = raw.timeDeltas ?? [];
  if (!isNumberArray(samples) || !isNumberArray(timeDeltas) || samples.length !== timeDeltas.length) {
    throw new Error('not a .cpuprofile: samples and timeDeltas must be number arrays of one length');
  }
  if (typeof raw.startTime !== 'number' || typeof raw.endTime !== 'number') {
    throw new Error('not a .cpuprofile: no startTime / endTime');
  }
  return { nodes, startTime: raw.startTime, endTime: raw.endTime, samples, timeDeltas };
}

/** V8's pseudo-frames: no script behind them. */
const PSEUDO = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);
export const NATIVE_AREA = '(native: V8 builtins, C++)';

/** The path of a file: URL (query and fragment dropped), or the url itself. */
function pathOf(url: string): string {
  const bare = url.replace(/[?#].*$/, '');
  if (!bare.startsWith('file://')) return bare;
  try {
    return decodeURIComponent(new URL(bare).pathname);
  } catch {
    return bare.slice('file://'.length);
  }
}

const withSlash = (dir: string) => (dir.endsWith('/') ? dir : `${dir}/`);

/** The file a frame runs in, as a reader wants it: relative to the project, or to node_modules. */
function shortPath(url: string, root: string): string {
  const path = pathOf(url);
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  if (path.startsWith(withSlash(root))) return path.slice(withSlash(root).length);
  return path;
}

/** Where a frame's time is charged in the per-area table. */
export function areaOf(frame: CallFrame, root: string): string {
  if (PSEUDO.has(frame.functionName) && frame.url === '') return frame.functionName;
  if (frame.url === '') return NATIVE_AREA;
  if (frame.url.startsWith('node:')) {
    // node:internal/streams/readable → node:internal/streams; node:net → node:net
    return `node:${frame.url.slice('node:'.length).split('/').slice(0, 2).join('/')}`;
  }
  const path = pathOf(frame.url);
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + '/node_modules/'.length).split('/');
    const pkg = parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
    return `node_modules/${pkg}`;
  }
  if (path.startsWith(withSlash(root))) {
    // src/security/http/cors.ts → src/security/http; src/app.ts → src/app.ts
    const parts = path.slice(withSlash(root).length).split('/');
    const dirs = parts.slice(0, -1);
    return dirs.length >= 2 ? dirs.slice(0, 3).join('/') : parts.join('/');
  }
  return frame.url.startsWith('file://') ? `(other files) ${path}` : frame.url;
}

/** The layers areas fold into, for the one-glance split. */
export const LAYERS = [
  'this project (src/)',
  'dependencies (node_modules/)',
  'Node core (node:*)',
  'V8: builtins, native code, (program)',
  '(garbage collector)',
  '(idle)',
  'other',
] as const;
export type Layer = (typeof LAYERS)[number];

export function layerOf(area: string): Layer {
  if (area === 'src' || area.startsWith('src/')) return 'this project (src/)';
  if (area.startsWith('node_modules/')) return 'dependencies (node_modules/)';
  if (area.startsWith('node:')) return 'Node core (node:*)';
  if (area === NATIVE_AREA || area === '(program)' || area === '(root)')
    return 'V8: builtins, native code, (program)';
  if (area === '(garbage collector)' || area === '(idle)') return area;
  return 'other';
}

/** Self-time percentages per layer (every layer present, 0 when none). */
export function layerShares(areas: readonly AreaEntry[]): Record<Layer, number> {
  const shares = Object.fromEntries(LAYERS.map((l) => [l, 0])) as Record<Layer, number>;
  for (const a of areas) shares[layerOf(a.area)] += a.percent;
  return shares;
}

/** Compiled on the fly from TypeScript: the profile's line is the compiled code's, not the file's. */
const compiled = (url: string) => /\.[mc]?tsx?$/.test(url.replace(/[?#].*$/, ''));

/**
 * `file:line` (1-based) of a frame, '' for native code and pseudo-frames. A TypeScript file's
 * line is the source line when `originalLine` maps it, else left out (it would be the compiled
 * code's, always 1 under tsx).
 */
export function locationOf(
  frame: CallFrame,
  root: string,
  originalLine?: SummaryOptions['originalLine'],
): string {
  if (frame.url === '') return '';
  let line = frame.lineNumber;
  if (compiled(frame.url)) {
    line = line >= 0 ? (originalLine?.(frame.url, line, Math.max(0, frame.columnNumber)) ?? -1) : -1;
  }
  const suffix = line >= 0 ? `:${line + 1}` : '';
  return frame.url.startsWith('node:') ? `${frame.url}${suffix}` : `${shortPath(frame.url, root)}${suffix}`;
}

/** Self time per function (one entry per function, however many call paths reach it) and per area. */
export function summarizeProfile(profile: CpuProfile, options: SummaryOptions): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const { samples, timeDeltas } = profile;
  // Each sample's timestamp, then the time it stands for (until the next sample, or the end).
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of timeDeltas) times.push((t += delta));
  const fromUs = options.window?.fromUs ?? profile.startTime;
  const toUs = options.window?.toUs ?? profile.endTime + 1;

  const fns = new Map<string, FunctionEntry>();
  const areas = new Map<string, AreaEntry>();
  let totalUs = 0;
  let count = 0;
  for (let i = 0; i < samples.length; i++) {
    const at = times[i]!;
    if (at < fromUs || at >= toUs) continue;
    const node = byId.get(samples[i]!);
    if (!node) continue;
    const next = i + 1 < times.length ? times[i + 1]! : Math.max(profile.endTime, at);
    const us = Math.max(0, next - at);
    const frame = node.callFrame;
    const area = areaOf(frame, options.root);
    const name = frame.functionName || '(anonymous)';
    // One function is one place in one script (compiled files are one line: the column counts).
    const key = `${name}\u0000${frame.url}\u0000${frame.lineNumber}:${frame.columnNumber}`;
    const known = fns.get(key);
    const location = known ? known.location : locationOf(frame, options.root, options.originalLine);
    const fn = known ?? { functionName: name, location, area, selfUs: 0, samples: 0, percent: 0 };
    fn.selfUs += us;
    fn.samples += 1;
    fns.set(key, fn);
    const a = areas.get(area) ?? { area, selfUs: 0, samples: 0, percent: 0 };
    a.selfUs += us;
    a.samples += 1;
    areas.set(area, a);
    totalUs += us;
    count++;
  }
  const withPercent = <T extends { selfUs: number; samples: number; percent: number }>(list: T[]) =>
    list
      .map((e) => ({ ...e, percent: totalUs > 0 ? (e.selfUs / totalUs) * 100 : 0 }))
      .sort((a, b) => b.selfUs - a.selfUs || b.samples - a.samples);
  return {
    samples: count,
    totalUs,
    fromUs,
    toUs,
    functions: withPercent([...fns.values()]),
    areas: withPercent([...areas.values()]),
  };
}

/**
 * The main thread's profile among those one process wrote: Node names them
 * CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, and the main thread is thread 0 (others
 * are workers, e.g. the ESM loader hooks thread that tsx starts).
 */
export function mainThreadProfile(fileNames: readonly string[]): string | undefined {
  const profiles = fileNames.filter((f) => f.endsWith('.cpuprofile')).sort();
  return profiles.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? profiles[0];
}
