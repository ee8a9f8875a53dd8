import { describe, expect, it } from 'vitest';
import { formatCount, formatSince, hueFor, initialsOf } from '../../renderer/format.js';

describe('format', () => {
  it('formats counts for the locale', () => {
    expect(formatCount(1234567)).toBe(new Intl.NumberFormat().format(1234567));
  });

  it('says briefly how long ago', () => {
    const now = 10 * 86_400_000;
    expect(formatSince(now - 5_000, now)).toBe('just now');
    expect(formatSince(now - 4 * 60_000, now)).toBe('4 min');
    expect(formatSince(now - 3 * 3_600_000, now)).toBe('3 h');
    expect(formatSince(now - 3 * 86_400_000, now)).toBe('3 d');
    expect(formatSince(now + 60_000, now)).toBe('just now'); // clock skew never shows negatives
  });

  it('takes initials from CamelCase, separated and single-word names', () => {
    expect(initialsOf('MellowMoose70')).toBe('MM');
    expect(initialsOf('quiet_fox')).toBe('QF');
    expect(initialsOf('ana maria')).toBe('AM');
    expect(initialsOf('Ana')).toBe('AN');
    expect(initialsOf('_x')).toBe('_X');
    expect(initialsOf('Ölçü-Ünal')).toBe('ÖÜ');
  });

  it('gives each id a stable hue', () => {
    expect(hueFor('u-1')).toBe(hueFor('u-1'));
    expect(hueFor('u-1')).toBeGreaterThanOrEqual(0);
    expect(hueFor('u-1')).toBeLessThan(360);
  });
});
