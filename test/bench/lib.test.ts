// The bench's arithmetic and rendering (bench/lib.ts, bench/scale.ts): no timing is measured here.
import { formatRatio, interleave, markdownTable, median, pairedRatios, ratioNumber, spread, stats, statsByField } from '../../bench/lib';
import { perAdded, summarizeProfile } from '../../bench/scale';

describe('bench statistics', () => {
  test('median of odd and even counts, unsorted input', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  test('spread and stats', () => {
    expect(spread([2, 9, 4])).toEqual({ min: 2, max: 9 });
    expect(stats([2, 9, 4])).toEqual({ median: 4, min: 2, max: 9, n: 3 });
  });

  test('stats of each field across runs', () => {
    expect(statsByField([{ esbuild: 1, zips: 5 }, { esbuild: 3, zips: 4 }, { esbuild: 2, zips: 6 }])).toEqual({
      esbuild: { median: 2, min: 1, max: 3, n: 3 },
      zips: { median: 5, min: 4, max: 6, n: 3 },
    });
  });

  test('ratios are paired per repetition', () => {
    expect(pairedRatios([2, 6], [4, 3])).toEqual([0.5, 2]);
    expect(() => pairedRatios([1], [1, 2])).toThrow(/differ in length/);
  });

  test('marginal cost per added item', () => {
    expect(perAdded([1, 10, 100], [5, 50, 500])).toEqual([undefined, 5, 5]);
  });
});

describe('bench rendering', () => {
  test('ratios keep two significant digits below 0.1', () => {
    expect(ratioNumber(0.4236)).toBe('0.42');
    expect(ratioNumber(0.000264)).toBe('0.00026');
    expect(formatRatio({ median: 0.5, min: 0.25, max: 1.5, n: 3 })).toBe('0.50× (0.25–1.50)');
    expect(formatRatio({ median: 2, min: 2, max: 2, n: 1 })).toBe('2.00×');
  });

  test('markdown table escapes pipes and rejects ragged rows', () => {
    expect(markdownTable(['a', 'b'], [['x|y', '1']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | 1 |');
    expect(() => markdownTable(['a', 'b'], [['only one']])).toThrow(/1 cells/);
  });
});

describe('interleave', () => {
  test('rotates the order each repetition after the warm-up runs, and records only the repetitions', () => {
    const order: string[] = [];
    const make = (name: string) => () => {
      order.push(name);
      return order.length;
    };
    const out = interleave({ a: make('a'), b: make('b'), c: make('c') }, { repetitions: 3, warmup: 1 });
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
    expect(out).toEqual({ a: [4, 9, 11], b: [5, 7, 12], c: [6, 8, 10] });
  });
});

describe('summarizeProfile', () => {
  test('sums self time by package and inclusive time of the parts, leaving idle out', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
        { id: 2, callFrame: frame('synth', 'file:///x/node_modules/projen/lib/project.js'), children: [3] },
        { id: 3, callFrame: frame('resolve', 'file:///x/node_modules/aws-cdk-lib/core/lib/private/resolve.js'), children: [] },
        { id: 5, callFrame: frame('(idle)', ''), children: [] },
      ],
      samples: [3, 3, 2, 5],
      timeDeltas: [1000, 1000, 500, 9000],
    };
    const s = summarizeProfile(profile);
    expect(s.totalMs).toBe(2.5);
    expect(s.byPackage).toEqual([['aws-cdk-lib', 2], ['projen', 0.5]]);
    expect(s.parts.projenSynth).toBe(2.5);
    expect(s.parts.appSynth).toBe(0);
  });
});
