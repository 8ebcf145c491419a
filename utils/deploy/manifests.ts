// What `kubectl kustomize k8s/overlays/homelab` renders, typed with kubernetes-models'
// interfaces, and the few readings every deployment test needs: workloads, their pods and
// containers, and a container's environment as the kubelet would give it.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { IContainer, IEnvVar, IPodSpec, IPodTemplateSpec } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { ROOT, readRepoFile, repoPath } from './repo.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}

export const OVERLAY = 'k8s/overlays/homelab';
export const WORKLOAD_KINDS = ['StatefulSet', 'Deployment', 'DaemonSet', 'Job'];
/** The image the Dockerfile builds, as the manifests name it (the overlay sets the tag). */
export const PLATFORM_IMAGE = 'ghcr.io/iot-platform/iot';

/** kubectl is a Debian package (.ci/run installs it); a developer without it skips. */
export function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Without kubectl a developer machine skips the Kubernetes tests; CI (CI set) fails. */
export const renderable = kubectlAvailable() || process.env.CI !== undefined;

export function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out).map((doc) => doc.toJS() as K8sObject);
}

/** Every YAML document of the files of a directory of the checkout (not rendered). */
export function yamlDocumentsIn(dir: string): { file: string; object: K8sObject }[] {
  return readdirSync(repoPath(dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readRepoFile(path.join(dir, file)))
        .map((doc) => doc.toJS() as K8sObject | null)
        .filter((object): object is K8sObject => object !== null)
        .map((object) => ({ file: path.join(dir, file), object })),
    );
}

export class Rendered {
  constructor(readonly objects: K8sObject[]) {}

  find(kind: string, name: string): K8sObject {
    const found = this.objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name} rendered`);
    return found;
  }

  ofKind(kind: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }

  /** The ConfigMap a generator made: `<name>-<hash>`. */
  generated(name: string): K8sObject {
    const found = this.ofKind('ConfigMap').filter((o) =>
      new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name),
    );
    if (found.length !== 1) throw new Error(`${found.length} ConfigMaps ${name}-<hash>`);
    return found[0] as K8sObject;
  }

  workloads(): K8sObject[] {
    return this.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
  }

  /** The workload whose pods carry app.kubernetes.io/name = name. */
  workload(name: string): K8sObject {
    const found = this.workloads().filter((o) => podLabels(o)['app.kubernetes.io/name'] === name);
    if (found.length !== 1) throw new Error(`${found.length} workloads for ${name}`);
    return found[0] as K8sObject;
  }
}

export function podTemplate(o: K8sObject): IPodTemplateSpec {
  const template = (o.spec as { template?: IPodTemplateSpec } | undefined)?.template;
  if (!template?.spec) throw new Error(`${o.kind} ${o.metadata.name} has no pod template`);
  return template;
}

export const podSpec = (o: K8sObject): IPodSpec => podTemplate(o).spec as IPodSpec;

export const podLabels = (o: K8sObject): Record<string, string> =>
  podTemplate(o).metadata?.labels ?? {};

export const containersOf = (o: K8sObject): IContainer[] => [
  ...(podSpec(o).initContainers ?? []),
  ...podSpec(o).containers,
];

export function containerNamed(o: K8sObject, name: string): IContainer {
  const found = containersOf(o).find((c) => c.name === name);
  if (!found) throw new Error(`${o.metadata.name} has no container ${name}`);
  return found;
}

export const runsPlatformImage = (c: IContainer): boolean =>
  c.image?.startsWith(`${PLATFORM_IMAGE}:`) === true;

/**
 * The kubelet's `$(VAR)` expansion: a variable defined earlier in the list is replaced,
 * `$$` is a literal `$`, anything else stays as written.
 */
export function expandKubelet(value: string, defined: ReadonlyMap<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name?: string) => {
    if (whole === '$$') return '$';
    return name !== undefined && defined.has(name) ? (defined.get(name) as string) : whole;
  });
}

/**
 * A container's environment as its process sees it, with each Secret key replaced by
 * `secret(name, key)` (the test's stand-in: no value is in the repository).
 */
export function containerEnvironment(
  c: IContainer,
  secret: (name: string, key: string) => string,
  field: (path: string) => string = (fieldPath) => `<${fieldPath}>`,
): Map<string, string> {
  const env = new Map<string, string>();
  for (const variable of c.env ?? []) env.set(variable.name, valueOf(variable, env, secret, field));
  return env;
}

function valueOf(
  variable: IEnvVar,
  defined: ReadonlyMap<string, string>,
  secret: (name: string, key: string) => string,
  field: (path: string) => string,
): string {
  const from = variable.valueFrom;
  if (from?.secretKeyRef) return secret(from.secretKeyRef.name ?? '', from.secretKeyRef.key);
  if (from?.fieldRef) return field(from.fieldRef.fieldPath);
  if (from?.resourceFieldRef) return `<${from.resourceFieldRef.resource}>`;
  if (from) throw new Error(`${variable.name}: unsupported valueFrom`);
  return expandKubelet(variable.value ?? '', defined);
}

/** What a configMapGenerator makes of files: each file's bytes under its base name. */
export function filesAsData(dir: string, files: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    files.map((file): [string, string] => [
      path.basename(file),
      readRepoFile(path.join(dir, file)),
    ]),
  );
}
