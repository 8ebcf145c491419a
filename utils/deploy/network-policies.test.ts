// The NetworkPolicies allow exactly the connections the platform makes: every URL a container
// is configured with, Grafana's data sources, Alloy's pushes to Loki, Prometheus' scrapes,
// KEDA's queue-depth reads, the broker nodes' clustering. Nothing else opens, inside the
// namespace or from outside: devices reach only MQTT over TLS, operators only iot-api's HTTPS.
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  OVERLAY,
  Rendered,
  containerEnvironment,
  containersOf,
  kustomize,
  podLabels,
  renderable,
} from './manifests.js';
import { NetworkPolicies, external, foreignPod, podOf, type Endpoint } from './network-policy.js';
import { readRepoFile } from './repo.js';
import { secretPlaceholder } from './service-configs.js';

const DEFAULT_PORTS: Record<string, number> = {
  'amqp:': 5672,
  'amqps:': 5671,
  'mqtt:': 1883,
  'mqtts:': 8883,
  'http:': 80,
  'https:': 443,
  'postgres:': 5432,
  'postgresql:': 5432,
};

/** URLs a service is given to print for others, never to connect to. */
const PRINTED_ONLY: Record<string, string[]> = {
  // The address devices use (through the LAN load balancer), in `iotctl create sensor`.
  'iot-api': ['IOT_MQTT_URL'],
};

/** A LAN address: devices and operators' machines. */
const LAN = external('192.168.1.50');

interface ServiceSpec {
  type?: string;
  selector: Record<string, string>;
  ports: { port: number; targetPort?: number | string }[];
}

interface Edge {
  from: Endpoint;
  to: Endpoint;
  port: number;
  why: string;
}

const edgeKey = (e: { from: Endpoint; to: Endpoint; port: number }) =>
  `${e.from.name} -> ${e.to.name}:${e.port}`;

describe.skipIf(!renderable)('NetworkPolicies', () => {
  let rendered = new Rendered([]);
  let policies = new NetworkPolicies([]);
  let pods: Endpoint[] = [];
  const pod = (name: string): Endpoint => {
    const found = pods.find((p) => p.kind === 'pod' && p.labels['app.kubernetes.io/name'] === name);
    if (!found) throw new Error(`no pod ${name}`);
    return found;
  };

  beforeAll(() => {
    rendered = new Rendered(kustomize(OVERLAY));
    policies = NetworkPolicies.of(rendered.objects);
    pods = rendered.workloads().map((w) => podOf(w));
  });

  /** host:port of a Service in the namespace → the pods behind it and their port. */
  function resolve(host: string, port: number): { to: Endpoint; port: number }[] {
    const name = host.replace(/\.iot\.svc(\.cluster\.local)?$/, '');
    const service = rendered.ofKind('Service').find((s) => s.metadata.name === name);
    if (!service) throw new Error(`${host}: no Service ${name}`);
    const spec = service.spec as unknown as ServiceSpec;
    const servicePort = spec.ports.find((p) => p.port === port);
    if (!servicePort) throw new Error(`${host}: Service ${name} has no port ${port}`);
    const backends = rendered
      .workloads()
      .filter((w) => Object.entries(spec.selector).every(([k, v]) => podLabels(w)[k] === v));
    expect(backends.length, `${host}: backends`).toBeGreaterThan(0);
    return backends.map((w) => {
      const target = podOf(w);
      const targetPort = servicePort.targetPort ?? port;
      const number =
        typeof targetPort === 'number'
          ? targetPort
          : target.kind === 'pod'
            ? target.ports.get(targetPort)
            : undefined;
      if (number === undefined) throw new Error(`${host}: ${w.metadata.name} has no ${targetPort}`);
      return { to: target, port: number };
    });
  }

  function urlEdges(from: Endpoint, value: string, why: string): Edge[] {
    const url = new URL(value.includes('://') ? value : `tcp://${value}`);
    const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
    if (port === undefined) throw new Error(`${why}: no port in ${value}`);
    return resolve(url.hostname, port).map(({ to, port: p }) => ({ from, to, port: p, why }));
  }

  /** Every connection the configuration says is made. */
  function neededEdges(): Edge[] {
    const edges: Edge[] = [];
    for (const workload of rendered.workloads()) {
      const from = podOf(workload);
      const app = podLabels(workload)['app.kubernetes.io/name'] ?? '';
      for (const c of containersOf(workload)) {
        for (const [name, value] of containerEnvironment(c, secretPlaceholder)) {
          if (!/^[a-z][a-z0-9+.-]*:\/\//.test(value)) continue;
          if ((PRINTED_ONLY[app] ?? []).includes(name)) continue;
          edges.push(...urlEdges(from, value, `${app} ${name}`));
        }
      }
    }
    // Grafana's data sources.
    const datasources = parse(
      readRepoFile('dependencies/grafana/provisioning/datasources/datasources.yaml'),
    ) as { datasources: { name: string; url: string }[] };
    for (const source of datasources.datasources) {
      edges.push(...urlEdges(pod('grafana'), source.url, `grafana ${source.name}`));
    }
    // Alloy, in the logs ingester's pod, pushes to Loki.
    const alloy = /url\s*=\s*"([^"]+)"/.exec(readRepoFile('dependencies/alloy/config.alloy'));
    edges.push(...urlEdges(pod('sensor-logs-ingester'), alloy?.[1] ?? '?', 'alloy → loki'));
    edges.push(...scrapeEdges());
    // KEDA's operator reads queue depths over AMQP (TriggerAuthentication's host).
    for (const target of resolve('rabbitmq.iot.svc', 5672)) {
      edges.push({ from: foreignPod('keda'), ...target, why: 'keda queue depth' });
    }
    // Alarm rules' actions name their controller in the database: the simulated one here
    // (machine-controller:9443, cmd/machine-controller).
    for (const target of resolve('machine-controller', 9443)) {
      edges.push({ from: pod('sensor-alarms'), ...target, why: 'machine actions' });
    }
    // Broker nodes: epmd and Erlang distribution among themselves.
    for (const port of [4369, 25672]) {
      edges.push({ from: pod('rabbitmq'), to: pod('rabbitmq'), port, why: 'clustering' });
    }
    return edges;
  }

  /** Prometheus' targets: k8s/base/prometheus/prometheus.yml's keep rules over the pods. */
  function scrapeEdges(): Edge[] {
    const config = parse(readRepoFile('k8s/base/prometheus/prometheus.yml')) as {
      scrape_configs: {
        job_name: string;
        relabel_configs: { source_labels?: string[]; regex?: string; action?: string }[];
      }[];
    };
    const edges: Edge[] = [];
    for (const job of config.scrape_configs) {
      for (const workload of rendered.workloads()) {
        for (const c of containersOf(workload)) {
          for (const p of c.ports ?? []) {
            const meta: Record<string, string> = {
              __meta_kubernetes_pod_container_port_name: p.name ?? '',
              __meta_kubernetes_pod_label_app_kubernetes_io_name:
                podLabels(workload)['app.kubernetes.io/name'] ?? '',
            };
            const kept = job.relabel_configs
              .filter((r) => r.action === 'keep')
              .every((r) =>
                new RegExp(`^(?:${r.regex ?? '(.*)'})$`).test(
                  (r.source_labels ?? []).map((l) => meta[l] ?? '').join(';'),
                ),
              );
            if (kept) {
              edges.push({
                from: pod('prometheus'),
                to: podOf(workload),
                port: p.containerPort,
                why: `scrape ${job.job_name}`,
              });
            }
          }
        }
      }
    }
    return edges;
  }

  it('allows every connection the configuration makes', () => {
    const needed = neededEdges();
    expect(needed.length).toBeGreaterThan(25);
    const refused = needed
      .filter((e) => !policies.allowed(e.from, e.to, e.port))
      .map((e) => `${edgeKey(e)} (${e.why})`);
    expect(refused).toEqual([]);
  });

  it('allows nothing else between the pods, nor from KEDA, but the public ports', () => {
    const needed = new Set(neededEdges().map(edgeKey));
    const extra: string[] = [];
    for (const from of [...pods, foreignPod('keda')]) {
      for (const to of pods) {
        if (to.kind !== 'pod') continue;
        for (const port of new Set(to.ports.values())) {
          const key = edgeKey({ from, to, port });
          const isPublic = policies.allowed(LAN, to, port); // the next test's subject
          if (policies.allowed(from, to, port) && !needed.has(key) && !isPublic) extra.push(key);
        }
      }
    }
    expect(extra).toEqual([]);
  });

  it('lets the outside reach only MQTT over TLS and iot-api over HTTPS', () => {
    const open = pods.flatMap((to) =>
      to.kind === 'pod'
        ? [...to.ports]
            .filter(([, port]) => policies.allowed(LAN, to, port))
            .map(([n]) => `${to.name}:${n}`)
        : [],
    );
    expect(open.sort()).toEqual(['iot-api:https', 'rabbitmq:mqtts']);
    const balancers = rendered
      .ofKind('Service')
      .map((s) => ({ name: s.metadata.name, spec: s.spec as unknown as ServiceSpec }))
      .filter(({ spec }) => spec.type === 'LoadBalancer')
      .map(({ name, spec }) => `${name}:${spec.ports.map((p) => String(p.targetPort)).join(',')}`);
    expect(balancers.sort()).toEqual(['iot-api-lan:https', 'rabbitmq-mqtt:mqtts']);
  });

  it('lets the simulated devices reach only what a device reaches', () => {
    const devices = pod('sensor-simulation');
    const reached = pods.flatMap((to) =>
      to.kind === 'pod'
        ? [...to.ports]
            .filter(([, port]) => policies.egressAllowed(devices, to, port))
            .map(([name]) => `${to.name}:${name}`)
        : [],
    );
    // mqtts for the data, management for --provision (the device's own broker user).
    expect(reached.sort()).toEqual(['rabbitmq:management', 'rabbitmq:mqtts']);
    expect(policies.egressAllowed(devices, LAN, 443)).toBe(false);
  });

  it('refuses without the rule, and opens without the policies (controls)', () => {
    const all = rendered.ofKind('NetworkPolicy') as unknown as INetworkPolicy[];
    const rabbitmq = pod('rabbitmq');
    const mqtts = rabbitmq.kind === 'pod' ? (rabbitmq.ports.get('mqtts') ?? 0) : 0;
    const withoutMqtts = all.map((p) =>
      p.metadata?.name === 'rabbitmq'
        ? {
            ...p,
            spec: {
              ...p.spec,
              podSelector: p.spec?.podSelector ?? {},
              ingress: p.spec?.ingress?.filter(
                (r) => !(r.ports ?? []).some((port) => port.port === 'mqtts'),
              ),
            },
          }
        : p,
    );
    expect(new NetworkPolicies(all).allowed(LAN, rabbitmq, mqtts)).toBe(true);
    expect(new NetworkPolicies(withoutMqtts).allowed(LAN, rabbitmq, mqtts)).toBe(false);
    const database = pod('timescaledb');
    const open = new NetworkPolicies(
      all.filter((p) => !['default-deny', 'timescaledb'].includes(p.metadata?.name ?? '')),
    );
    expect(open.allowed(LAN, database, 5432)).toBe(true);
    expect(policies.allowed(LAN, database, 5432)).toBe(false);
  });
});
