import { describe, expect, it } from 'vitest';
import { devicePassword } from './device-credentials.js';

describe('devicePassword', () => {
  it('is stable for one serial and differs between serials and secrets', () => {
    const a = devicePassword('secret-1', 'AAD-1123');
    expect(devicePassword('secret-1', 'AAD-1123')).toBe(a);
    expect(devicePassword('secret-1', 'AAD-1124')).not.toBe(a);
    expect(devicePassword('secret-2', 'AAD-1123')).not.toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
