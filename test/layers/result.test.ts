import { describe, expect, it } from 'vitest';
import { plusMinus } from '../../lib/layers/result';

describe('the layer table\'s "ID ± error" cell', () => {
  it('shows two decimals, or enough for the error\'s first significant digit', () => {
    expect(plusMinus(12.3456, 0.42)).toBe('12.35 ± 0.42');
    expect(plusMinus(12.3456, 0.005)).toBe('12.35 ± 0.01');
    expect(plusMinus(12.3456, 0.004)).toBe('12.346 ± 0.004');
    expect(plusMinus(12.3456789, 0.00031)).toBe('12.3457 ± 0.0003');
    expect(plusMinus(12.3456789, 1e-12)).toBe('12.345679 ± 0.000000');
    expect(plusMinus(7, 0)).toBe('7.00 ± 0.00');
    expect(plusMinus(Number.NaN, 0.1)).toBe('—');
    expect(plusMinus(7, Number.NaN)).toBe('7.00 ± ?');
  });
});
