// Schema validation of Kubernetes objects with kubernetes-models (the API's OpenAPI schemas)
// and its Flux and KEDA packages (their CRDs). An apiVersion/kind none of them knows is an
// error, not a pass: a typo in a kind would otherwise deploy nothing, silently.
import * as flux from '@kubernetes-models/flux-cd';
import * as keda from '@kubernetes-models/keda';
import * as kubernetes from 'kubernetes-models';
import type { K8sObject } from './manifests.js';

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: object): { validate(): void };
}

const isModelClass = (value: unknown): value is ModelClass =>
  typeof value === 'function' &&
  typeof (value as Partial<ModelClass>).apiVersion === 'string' &&
  typeof (value as Partial<ModelClass>).kind === 'string';

/** Every model of the packages' group/version modules, by `apiVersion/kind`. */
function collectModels(): Map<string, ModelClass> {
  const models = new Map<string, ModelClass>();
  const visit = (value: unknown, depth: number) => {
    if (isModelClass(value)) {
      models.set(`${value.apiVersion}/${value.kind}`, value);
      return;
    }
    if (depth === 0 || value === null || typeof value !== 'object') return;
    for (const child of Object.values(value)) visit(child, depth - 1);
  };
  // package → group → version → class
  for (const pkg of [kubernetes, flux, keda]) visit(pkg, 3);
  return models;
}

const MODELS = collectModels();

export class UnknownKindError extends Error {
  override readonly name = 'UnknownKindError';
}

/** Validates one object against its schema; throws naming the object and the problem. */
export function validateObject(object: K8sObject): void {
  const id = `${object.apiVersion}/${object.kind} ${object.metadata?.name ?? '?'}`;
  const Model = MODELS.get(`${object.apiVersion}/${object.kind}`);
  if (!Model) throw new UnknownKindError(`${id}: no schema for this apiVersion and kind`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${id}: ${(error as Error).message}`, { cause: error });
  }
}

export const knownModels = (): string[] => [...MODELS.keys()];
