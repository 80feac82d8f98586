// The log files the sandbox serves for `kubectl logs`: the kubelet's CRI format, timestamps a task can rely on.
import { describe, expect, test } from 'vitest';
import { criLog } from '../../sandbox/logs.ts';
import { SetupStep } from '../../tasks/schema.ts';

const end = new Date('2026-11-29T14:00:00.000Z');

describe('criLog', () => {
  test('one CRI line per line: RFC 3339 time with nanoseconds, stream, full-line tag, text', () => {
    expect(criLog('starting\nready\n', end, 1)).toBe('2026-11-29T13:59:59.000000000Z stdout F starting\n2026-11-29T14:00:00.000000000Z stdout F ready\n');
  });

  test('lines are spread evenly over the span, the last at the end time', () => {
    const times = criLog('a\nb\nc\nd\ne', end, 3600)
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    expect(times).toEqual(['2026-11-29T13:00:00.000000000Z', '2026-11-29T13:15:00.000000000Z', '2026-11-29T13:30:00.000000000Z', '2026-11-29T13:45:00.000000000Z', '2026-11-29T14:00:00.000000000Z']);
  });

  test('text is kept as written: spaces, empty lines in between, characters kubectl passes through', () => {
    expect(criLog('  indented\n\nERROR: x=1 "quoted"\n', end, 2).split('\n').map((l) => l.slice(31))).toEqual(['stdout F   indented', 'stdout F ', 'stdout F ERROR: x=1 "quoted"', '']);
  });

  test('no lines, no file content', () => {
    expect(criLog('', end, 0)).toBe('');
  });
});

describe('the logs setup step', () => {
  test('names one pod or a selector, never both or neither', () => {
    expect(SetupStep.safeParse({ logs: { pod: 'web', lines: 'x' } }).success).toBe(true);
    expect(SetupStep.safeParse({ logs: { selector: 'app=web', container: 'web', lines: 'x', previous: 'y', spanSeconds: 600 } }).success).toBe(true);
    expect(SetupStep.safeParse({ logs: { lines: 'x' } }).success).toBe(false);
    expect(SetupStep.safeParse({ logs: { pod: 'web', selector: 'app=web', lines: 'x' } }).success).toBe(false);
    expect(SetupStep.safeParse({ logs: { pod: 'web', line: 'x' } }).success).toBe(false);
  });
});
