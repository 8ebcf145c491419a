// A small evaluator of Kubernetes NetworkPolicies (networking.k8s.io/v1), enough to ask
// "may this pod open a TCP connection to that pod's port?" of the rendered manifests. A
// connection needs both ends: the source's egress and the destination's ingress. A pod that
// no policy of a direction selects is open in that direction; once one selects it, only
// what some rule allows passes. Peers: podSelector (the policy's namespace),
// namespaceSelector (+ podSelector), ipBlock (addresses outside the cluster). Ports: numbers
// or the destination container's port names, with endPort ranges.
import type {
  INetworkPolicy,
  INetworkPolicyPeer,
  INetworkPolicyPort,
  INetworkPolicySpec,
} from 'kubernetes-models/networking.k8s.io/v1';
import { containersOf, podLabels, type K8sObject } from './manifests.js';

type LabelSelector = INetworkPolicySpec['podSelector'];

/** A pod (of a workload here, or of another namespace) or an address outside the cluster. */
export type Endpoint =
  | {
      kind: 'pod';
      name: string;
      namespace: string;
      namespaceLabels: Record<string, string>;
      labels: Record<string, string>;
      /** Container ports by name (unnamed ones under their number). */
      ports: Map<string, number>;
    }
  | { kind: 'external'; name: string; ip: string };

export function podOf(workload: K8sObject, namespace = 'iot'): Endpoint {
  const ports = new Map<string, number>();
  for (const c of containersOf(workload)) {
    for (const p of c.ports ?? []) ports.set(p.name ?? String(p.containerPort), p.containerPort);
  }
  return {
    kind: 'pod',
    name: workload.metadata.name,
    namespace,
    namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
    labels: podLabels(workload),
    ports,
  };
}

/** A pod of another namespace (KEDA's operator, say), with no ports of interest. */
export const foreignPod = (namespace: string, labels: Record<string, string> = {}): Endpoint => ({
  kind: 'pod',
  name: `${namespace}/pod`,
  namespace,
  namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
  labels,
  ports: new Map(),
});

export const external = (ip: string): Endpoint => ({ kind: 'external', name: ip, ip });

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}

function ipv4(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4(base) / size) * size;
  const n = ipv4(ip);
  return n >= start && n < start + size;
}

function peerMatches(peer: INetworkPolicyPeer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) {
    if (other.kind !== 'external') return false;
    return (
      inCidr(other.ip, peer.ipBlock.cidr) &&
      !(peer.ipBlock.except ?? []).some((cidr) => inCidr(other.ip, cidr))
    );
  }
  if (other.kind !== 'pod') return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, other.namespaceLabels)
    : other.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector, other.labels);
}

function portMatches(
  ports: INetworkPolicyPort[] | undefined,
  destination: Endpoint,
  port: number,
): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') {
      return destination.kind === 'pod' && destination.ports.get(p.port) === port;
    }
    return port >= p.port && port <= (p.endPort ?? p.port);
  });
}

export class NetworkPolicies {
  constructor(private readonly policies: INetworkPolicy[]) {}

  static of(objects: K8sObject[]): NetworkPolicies {
    return new NetworkPolicies(
      objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as INetworkPolicy[],
    );
  }

  private selecting(pod: Endpoint, direction: 'Ingress' | 'Egress'): INetworkPolicy[] {
    if (pod.kind !== 'pod') return [];
    return this.policies.filter((policy) => {
      const spec = policy.spec;
      const types = spec?.policyTypes ?? (spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
      return (
        (policy.metadata?.namespace ?? 'iot') === pod.namespace &&
        types.includes(direction) &&
        selects(spec?.podSelector, pod.labels)
      );
    });
  }

  egressAllowed(source: Endpoint, destination: Endpoint, port: number): boolean {
    const policies = this.selecting(source, 'Egress');
    if (policies.length === 0) return true;
    return policies.some((policy) =>
      (policy.spec?.egress ?? []).some(
        (rule) =>
          (rule.to === undefined ||
            rule.to.length === 0 ||
            rule.to.some((peer) =>
              peerMatches(peer, policy.metadata?.namespace ?? 'iot', destination),
            )) &&
          portMatches(rule.ports, destination, port),
      ),
    );
  }

  ingressAllowed(source: Endpoint, destination: Endpoint, port: number): boolean {
    const policies = this.selecting(destination, 'Ingress');
    if (policies.length === 0) return true;
    return policies.some((policy) =>
      (policy.spec?.ingress ?? []).some(
        (rule) =>
          (rule.from === undefined ||
            rule.from.length === 0 ||
            rule.from.some((peer) =>
              peerMatches(peer, policy.metadata?.namespace ?? 'iot', source),
            )) &&
          portMatches(rule.ports, destination, port),
      ),
    );
  }

  /** Both ends agree: the connection opens. */
  allowed(source: Endpoint, destination: Endpoint, port: number): boolean {
    return (
      this.egressAllowed(source, destination, port) &&
      this.ingressAllowed(source, destination, port)
    );
  }
}
