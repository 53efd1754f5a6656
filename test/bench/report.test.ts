import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NATIVE_AREA,
  areaOf,
  layerShares,
  locationOf,
  mainThreadProfile,
  parseCpuProfile,
  summarizeProfile,
  type CpuProfile,
} from '../../bench/lib/cpu-profile.js';
import { escapeXml, sideBySideSvg, type SideBySideChart } from '../../bench/lib/svg.js';
import { verdict, verdictLine, verdictTally } from '../../bench/lib/verdicts.js';

// The pure parts of the benchmark report (bench/lib): the CPU profile reduced to self time per
// function and per area, the SVG picture, and the verdicts against issue 15's targets.

const ROOT = '/work/project';

const frame = (functionName: string, url = '', lineNumber = -1, columnNumber = lineNumber < 0 ? -1 : 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber,
});

/**
 * (root) → handler (src) → parse (graphql), and (root) → other (src) → parse again: one function
 * reached by two call paths, which must count once in the function list.
 */
function profile(): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(program)') },
      { id: 3, callFrame: frame('(idle)') },
      { id: 4, callFrame: frame('(garbage collector)') },
      { id: 5, callFrame: frame('handler', `file://${ROOT}/src/security/http/cors.ts`, 40) },
      { id: 6, callFrame: frame('parse', 'file:///elsewhere/node_modules/graphql/language/parser.js', 99) },
      { id: 7, callFrame: frame('other', `file://${ROOT}/src/app.ts`, 9) },
      { id: 8, callFrame: frame('parse', 'file:///elsewhere/node_modules/graphql/language/parser.js', 99) },
      { id: 9, callFrame: frame('runMiddleware', 'file:///x/node_modules/@apollo/server/dist/esm/a.js', 0) },
      { id: 10, callFrame: frame('onread', 'node:internal/stream_base_commons', 160) },
      { id: 11, callFrame: frame('JSONStringify') },
      { id: 12, callFrame: frame('', 'node:net', 3) },
    ],
    startTime: 1_000,
    // Samples at 1100, 1200, …: each stands for 100 µs except where the deltas say otherwise.
    samples: [2, 5, 6, 8, 8, 4, 3, 9, 10, 11, 12, 7],
    timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
    endTime: 2_300,
  };
}

describe('CPU profile: self time per function and per area', () => {
  it('charges each sample the time until the next one, and one function reached twice counts once', () => {
    const s = summarizeProfile(profile(), { root: ROOT });
    assert.equal(s.samples, 12);
    assert.equal(s.totalUs, 1200);
    const parse = s.functions.filter((f) => f.functionName === 'parse');
    assert.equal(parse.length, 1, 'one entry per function, whatever the call path');
    assert.equal(parse[0]!.samples, 3);
    assert.equal(parse[0]!.selfUs, 300);
    assert.equal(parse[0]!.percent, 25);
    assert.equal(
      parse[0]!.location,
      'graphql/language/parser.js:100',
      '1-based line, path inside node_modules',
    );
    assert.equal(s.functions[0]!.functionName, 'parse', 'largest self time first');
    const total = s.functions.reduce((sum, f) => sum + f.percent, 0);
    assert.ok(Math.abs(total - 100) < 1e-9, 'the percentages add up to 100');
  });

  it('aggregates per package, per src folder, per Node core module and per V8 pseudo-frame', () => {
    const s = summarizeProfile(profile(), { root: ROOT });
    const area = (name: string) => s.areas.find((a) => a.area === name)?.samples;
    assert.equal(area('node_modules/graphql'), 3);
    assert.equal(area('node_modules/@apollo/server'), 1, 'a scoped package keeps its scope');
    assert.equal(area('src/security/http'), 1);
    assert.equal(area('src/app.ts'), 1, 'a file at the top of src/ is its own area');
    assert.equal(area('node:internal/stream_base_commons'), 1);
    assert.equal(area('node:net'), 1);
    assert.equal(area('(program)'), 1);
    assert.equal(area('(idle)'), 1);
    assert.equal(area('(garbage collector)'), 1);
    assert.equal(area(NATIVE_AREA), 1, 'a frame without a script is native code');
    assert.equal(
      s.areas.reduce((sum, a) => sum + a.samples, 0),
      12,
    );
    // And per layer, at a glance: 12 samples of 100 µs each.
    const layers = layerShares(s.areas);
    const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;
    assert.ok(close(layers['this project (src/)'], (2 / 12) * 100));
    assert.ok(close(layers['dependencies (node_modules/)'], (4 / 12) * 100));
    assert.ok(close(layers['Node core (node:*)'], (2 / 12) * 100));
    assert.ok(close(layers['V8: builtins, native code, (program)'], (2 / 12) * 100));
    assert.ok(close(layers['(garbage collector)'], (1 / 12) * 100));
    assert.ok(close(layers['(idle)'], (1 / 12) * 100));
    assert.equal(layers.other, 0);
  });

  it('counts only the samples inside the window, when one is given', () => {
    // Samples are at 1100 … 2200: [1250, 1650) holds 1300, 1400, 1500, 1600.
    const s = summarizeProfile(profile(), { root: ROOT, window: { fromUs: 1250, toUs: 1650 } });
    assert.equal(s.samples, 4);
    assert.deepEqual(
      s.functions.map((f) => [f.functionName, f.samples]),
      [
        ['parse', 3],
        ['(garbage collector)', 1],
      ],
    );
  });

  it('the last sample lasts until endTime; uneven deltas weigh samples unevenly', () => {
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('a', `file://${ROOT}/src/a/b/c.ts`, 0) },
        { id: 3, callFrame: frame('b', `file://${ROOT}/src/a/b/c.ts`, 5) },
      ],
      startTime: 0,
      samples: [2, 3],
      timeDeltas: [10, 300],
      endTime: 410,
    };
    const s = summarizeProfile(p, { root: ROOT });
    assert.deepEqual(
      s.functions.map((f) => [f.functionName, f.selfUs]),
      [
        ['a', 300],
        ['b', 100],
      ],
    );
  });

  it('parses a .cpuprofile and refuses what is not one', () => {
    const text = JSON.stringify({ ...profile(), extra: true });
    assert.deepEqual(parseCpuProfile(text).samples, profile().samples);
    assert.throws(() => parseCpuProfile('{}'), /no nodes/);
    assert.throws(
      () => parseCpuProfile(JSON.stringify({ ...profile(), timeDeltas: [1] })),
      /samples and timeDeltas/,
    );
    assert.throws(() => parseCpuProfile(JSON.stringify({ nodes: [{ id: 1 }] })), /callFrame/);
  });

  it('locations and areas of frames outside the project', () => {
    assert.equal(locationOf(frame('(program)'), ROOT), '');
    assert.equal(locationOf(frame('f', 'node:net', 9), ROOT), 'node:net:10');
    assert.equal(locationOf(frame('f', 'file:///x/node_modules/p/i.js', 0), ROOT), 'p/i.js:1');
    assert.equal(
      areaOf(frame('f', 'file:///opt/tool/lib/y.js', 0), ROOT),
      '(other files) /opt/tool/lib/y.js',
    );
    assert.equal(areaOf(frame('(program)', 'file:///a.js', 0), ROOT), '(other files) /a.js');
  });

  it('a TypeScript file compiled on one line: one entry per function, its source line from the map', () => {
    const url = `file://${ROOT}/src/security/execution/cost.ts?tsx=1`;
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('', url, 1, 500) },
        { id: 3, callFrame: frame('', url, 1, 900) },
        { id: 4, callFrame: frame('', `file://${ROOT}/src/app.ts`, 1, 10) },
      ],
      startTime: 0,
      samples: [2, 3, 3, 4],
      timeDeltas: [10, 10, 10, 10],
      endTime: 50,
    };
    const asked: [string, number, number][] = [];
    const originalLine = (u: string, line: number, column: number) => {
      asked.push([u, line, column]);
      return u === url ? (column === 500 ? 41 : 87) : undefined;
    };
    const s = summarizeProfile(p, { root: ROOT, originalLine });
    assert.deepEqual(
      s.functions.map((f) => [f.functionName, f.location, f.samples]),
      [
        ['(anonymous)', 'src/security/execution/cost.ts:88', 2],
        ['(anonymous)', 'src/security/execution/cost.ts:42', 1],
        ['(anonymous)', 'src/app.ts', 1],
      ],
      'two functions on the one compiled line stay apart; an unmapped TypeScript line is left out',
    );
    assert.equal(asked.length, 3, 'each function is mapped once');
    assert.equal(s.areas.find((a) => a.area === 'src/security/execution')?.samples, 3);
    assert.equal(
      locationOf(frame('f', url, 1, 7), ROOT),
      'src/security/execution/cost.ts',
      'no map: no line',
    );
  });

  it('picks the main thread’s profile (thread 0) among those one process wrote', () => {
    const files = [
      'CPU.20261130.211020.8589.1.002.cpuprofile',
      'CPU.20261130.211020.8589.0.001.cpuprofile',
      'notes.txt',
    ];
    assert.equal(mainThreadProfile(files), 'CPU.20261130.211020.8589.0.001.cpuprofile');
    assert.equal(mainThreadProfile(['notes.txt']), undefined);
  });
});

/**
 * A small XML well-formedness check: tags balance, attributes are quoted, and no raw `<` or
 * stray `&` is left in text or attribute values.
 */
function assertWellFormed(xml: string): { tags: Map<string, number> } {
  const tags = new Map<string, number>();
  const stack: string[] = [];
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi;
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const between = xml.slice(last, m.index);
    assert.ok(!between.includes('<'), `raw < or malformed tag near: ${between.slice(0, 80)}`);
    assert.ok(!between.replace(entity, '').includes('&'), `unescaped & in text: ${between}`);
    assert.ok(!m[3]!.replace(entity, '').includes('&'), `unescaped & in attributes: ${m[3]}`);
    last = m.index + m[0].length;
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else {
      tags.set(name!, (tags.get(name!) ?? 0) + 1);
      if (!selfClose) stack.push(name!);
    }
  }
  assert.equal(xml.slice(last).trim(), '', 'nothing after the root element');
  assert.deepEqual(stack, [], 'every element is closed');
  return { tags };
}

describe('SVG picture', () => {
  const chart: SideBySideChart = {
    title: 'Side-by-side <quick> & "test"',
    subtitle: "it's escaped",
    required: 1,
    stretch: 1.2,
    panels: [
      {
        title: '{ __typename } — 10 connections',
        bars: [
          { label: 'this project', ratio: 0.78, p99Ms: 12 },
          { label: 'bare Apollo (baseline)', ratio: 1, p99Ms: 8 },
          { label: 'bare + graphql-armor', ratio: 1, p99Ms: 8 },
          { label: 'node:http ceiling *', ratio: 12.96, p99Ms: 0, offScale: true },
        ],
      },
      {
        title: 'myOrders <auth> — 100 connections',
        bars: [
          { label: 'this project', ratio: Number.NaN, p99Ms: Number.NaN },
          { label: 'bare Apollo (baseline)', ratio: 1, p99Ms: 270 },
        ],
      },
    ],
  };

  it('is well-formed, self-contained XML of about 900 px', () => {
    const svg = sideBySideSvg(chart);
    const { tags } = assertWellFormed(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="900" /);
    assert.ok(!/<script|<style|@import|href=|url\(/i.test(svg), 'no scripts, styles or external references');
    assert.equal(tags.get('svg'), 1);
    // The background, then a ratio bar and a p99 bar per finite figure: 4 + 1 of each.
    assert.equal(tags.get('rect'), 1 + 5 + 5);
  });

  it('escapes every text', () => {
    const svg = sideBySideSvg(chart);
    assert.ok(svg.includes('Side-by-side &lt;quick&gt; &amp; &quot;test&quot;'));
    assert.ok(svg.includes('it&apos;s escaped'));
    assert.ok(svg.includes('myOrders &lt;auth&gt; — 100 connections'));
    assert.equal(escapeXml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });

  it('draws the figures, the off-scale ceiling, and a 1.0× line and a dashed 1.2× line per panel', () => {
    const svg = sideBySideSvg(chart);
    for (const figure of ['0.78×', '1.00×', '12.96× (off scale)', '12.0 ms', '270 ms', 'no figure']) {
      assert.ok(svg.includes(`>${figure}<`), figure);
    }
    const lines = [...svg.matchAll(/<line x1="([\d.]+)"[^>]*\/>/g)].map((m) => m[0]);
    const dashed = lines.filter((l) => l.includes('stroke-dasharray'));
    // Per panel: two axes, the solid 1.0× line and the dashed 1.2× one; plus the two in the legend.
    assert.equal(lines.length, 2 * 4 + 2);
    assert.equal(dashed.length, 2 + 1);
    // The 1.2× line sits right of the 1.0× line, and the project's 0.78 bar ends left of it.
    const x = (l: string) => Number(/x1="([\d.]+)"/.exec(l)![1]);
    const solid = lines.filter((l) => l.includes('#c53030'));
    assert.ok(x(dashed[0]!) > x(solid[0]!));
  });
});

describe('verdicts against issue 15’s targets', () => {
  it('required 1.0× on every query, stretch 1.2× on { __typename } and myOrders, misses in points', () => {
    const typename = verdict('typename', 10, 0.78);
    assert.equal(typename.required.met, false);
    assert.equal(Math.round(typename.required.missByPoints), 22);
    assert.equal(Math.round(typename.stretch!.missByPoints), 42);
    assert.equal(
      verdictLine(typename, '{ __typename }'),
      '{ __typename }, 10 connections: project = 0.78× baseline; required ≥ 1.00×: MISSES (by 22 points); stretch ≥ 1.20×: MISSES (by 42 points)',
    );
    const catalogue = verdict('catalogue', 100, 1.05);
    assert.equal(catalogue.stretch, undefined, 'no stretch target for the catalogue page');
    assert.match(verdictLine(catalogue, 'catalogue page'), /required ≥ 1\.00×: meets; stretch: none/);
    const close = verdict('myOrders', 10, 0.996);
    assert.match(verdictLine(close, 'myOrders'), /required ≥ 1\.00×: MISSES \(by 0\.4 points\)/);
    const met = verdict('myOrders', 100, 1.25);
    assert.match(verdictLine(met, 'myOrders'), /required ≥ 1\.00×: meets; stretch ≥ 1\.20×: meets$/);
    assert.match(verdictLine(verdict('typename', 10, Number.NaN), 'x'), /no figure/);
    assert.equal(
      verdictTally([typename, catalogue, close, met]),
      'Required (≥ 1.00×) met on 2 of 4; stretch (≥ 1.20× on { __typename } and myOrders) met on 1 of 3',
    );
  });
});
