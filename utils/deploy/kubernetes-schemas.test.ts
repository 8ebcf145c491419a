// Every object `kubectl kustomize` renders for the homelab, and every Flux object, against
// its schema: Kubernetes' own (kubernetes-models), Flux's and KEDA's CRDs. An unknown
// apiVersion/kind fails.
import { beforeAll, describe, expect, it } from 'vitest';
import { OVERLAY, kustomize, renderable, yamlDocumentsIn, type K8sObject } from './manifests.js';
import { UnknownKindError, validateObject } from './schemas.js';

describe.skipIf(!renderable)('Kubernetes schemas', () => {
  let objects: K8sObject[] = [];
  beforeAll(() => {
    objects = kustomize(OVERLAY);
  });

  it('renders the overlay, and every object in it is valid', () => {
    expect(objects.length).toBeGreaterThan(50);
    const problems = objects.flatMap((object) => {
      try {
        validateObject(object);
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    });
    expect(problems).toEqual([]);
  });

  it('validates the Flux objects of k8s/flux', () => {
    const flux = yamlDocumentsIn('k8s/flux').map((d) => d.object);
    expect(flux.map((o) => o.kind).sort()).toEqual([
      'GitRepository',
      'Kustomization',
      'Kustomization',
    ]);
    for (const object of flux) expect(() => validateObject(object)).not.toThrow();
  });

  it('fails an unknown kind, an unknown version and an invalid object (controls)', () => {
    const deployment = objects.find((o) => o.kind === 'Deployment') as K8sObject;
    expect(() => validateObject({ ...deployment, kind: 'Deploymnet' })).toThrow(UnknownKindError);
    expect(() => validateObject({ ...deployment, apiVersion: 'apps/v2' })).toThrow(
      UnknownKindError,
    );
    const scaled = objects.find((o) => o.kind === 'ScaledObject') as K8sObject;
    expect(() => validateObject({ ...scaled, spec: { triggers: [] } })).toThrow(/scaleTargetRef/);
    const source = yamlDocumentsIn('k8s/flux').find((d) => d.object.kind === 'GitRepository');
    const repo = source?.object as K8sObject;
    expect(() => validateObject({ ...repo, spec: { ...repo.spec, interval: 5 } })).toThrow(
      /interval/,
    );
    expect(() =>
      validateObject({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } }),
    ).toThrow(/replicas/);
  });
});
