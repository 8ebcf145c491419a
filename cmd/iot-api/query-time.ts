// A time in a query string. The schema's `date-time` format admits what RFC 3339 admits,
// leap seconds included (`2016-12-31T23:59:60Z`), but a JavaScript Date cannot hold a leap
// second and turns it into Invalid Date; that is the client's input, so it is a 400 here,
// naming the parameter, and never reaches the database.
import { invalid } from './errors.js';

export function queryTime(value: string, parameter: string): Date;
export function queryTime(value: string | undefined, parameter: string): Date | undefined;
export function queryTime(value: string | undefined, parameter: string): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw invalid(
      `querystring.${parameter}: ${value} is not a time this API can hold (leap second?)`,
    );
  }
  return time;
}
