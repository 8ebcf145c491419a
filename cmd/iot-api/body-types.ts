// Request bodies are taken as sent: ajv's type coercion (coerceTypes in app.ts) is there for
// the query string, where everything arrives as text, but in a JSON body it would turn
// "rpm": "1500" into 1500 and true into 1. This walks the route's body schema before ajv
// does and refuses a value of the wrong JSON type, naming the field.
import { invalid } from './errors.js';

interface SchemaNode {
  type?: string | string[];
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether `value`'s JSON type is one the schema allows (integer is a number too). */
function typeMatches(schema: SchemaNode, value: unknown): boolean {
  if (schema.anyOf) return schema.anyOf.some((branch) => typeMatches(branch, value));
  if (schema.type === undefined) return true;
  const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
  const actual = jsonType(value);
  return allowed.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

/** The first field whose value has the wrong JSON type, as `body.bearing.balls: …`. */
export function wrongType(schema: unknown, value: unknown, path = 'body'): string | undefined {
  const node = schema as SchemaNode;
  if (!typeMatches(node, value)) {
    const expected = node.anyOf
      ? node.anyOf.flatMap((b) => b.type ?? []).join(' or ')
      : [node.type].flat().join(' or ');
    return `${path}: must be ${expected}, not ${jsonType(value)}`;
  }
  if (value === null || typeof value !== 'object') return undefined;
  // Into the object branch of a nullable object, and into each known property.
  const objectNode = node.anyOf?.find((b) => b.properties) ?? node;
  if (objectNode.properties && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = objectNode.properties[key];
      if (childSchema === undefined) continue; // ajv names unknown fields
      const found = wrongType(childSchema, child, `${path}.${key}`);
      if (found) return found;
    }
  }
  if (objectNode.items && Array.isArray(value)) {
    for (const [i, child] of value.entries()) {
      const found = wrongType(objectNode.items, child, `${path}.${i}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** A preValidation hook body: throws invalid_request for a body value of the wrong type. */
export function refuseWrongBodyTypes(schema: unknown, body: unknown): void {
  if (schema === undefined || body === undefined) return;
  const problem = wrongType(schema, body);
  if (problem) throw invalid(problem);
}
