import { describe, expect, it } from 'vitest';
import { TargetBody, TargetPatchBody } from '../../internal/api-contract/index.js';
import { wrongType } from './body-types.js';

describe('wrongType', () => {
  it.each([
    [TargetPatchBody, { rpm: 1500 }, undefined],
    [TargetPatchBody, { rpm: null }, undefined],
    [TargetPatchBody, { rpm: '1500' }, 'body.rpm: must be number or null, not string'],
    [TargetPatchBody, { rpm: true }, 'body.rpm: must be number or null, not boolean'],
    [TargetPatchBody, { bearing: { balls: 9, ballMm: 7, pitchMm: 39 } }, undefined],
    [
      TargetPatchBody,
      { bearing: { balls: '9', ballMm: 7, pitchMm: 39 } },
      'body.bearing.balls: must be integer, not string',
    ],
    [
      TargetPatchBody,
      { bearing: { balls: 8.5, ballMm: 7, pitchMm: 39 } },
      'body.bearing.balls: must be integer, not number',
    ],
    [TargetPatchBody, { bearing: [] }, 'body.bearing: must be object or null, not array'],
    [TargetBody, { name: 5 }, 'body.name: must be string, not integer'],
    [TargetBody, { name: 'x', kind: 1 }, undefined], // an enum: ajv names it
    [TargetBody, { name: 'x', unknown: '1' }, undefined], // unknown fields: ajv names them
    [TargetBody, 'a string', 'body: must be object, not string'],
  ])('case %#', (schema, body, expected) => {
    expect(wrongType(schema, body)).toBe(expected);
  });
});
