// No secret value in the repository: the manifests only reference Secrets (each documented in
// k8s/README.md with its keys), nothing rendered is a Secret, and a Secret committed under
// k8s/ must be SOPS ciphertext, which Flux decrypts (k8s/flux) before the platform that needs
// it is applied.
import { existsSync } from 'node:fs';
import type { IContainer, IVolume } from 'kubernetes-models/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  OVERLAY,
  Rendered,
  containersOf,
  kustomize,
  podSpec,
  renderable,
  yamlDocumentsIn,
  type K8sObject,
} from './manifests.js';
import { readRepoFile, repoPath } from './repo.js';

const SECRET_NAME = /PASSWORD|SECRET|COOKIE|TOKEN/;
/** What SOPS writes in place of a value it encrypted. */
const SOPS_VALUE = /^ENC\[AES256_GCM,data:[^\]]*\]$/;

/** The keys of a Secret document that hold a value SOPS has not encrypted. */
function plainSecretValues(object: K8sObject): string[] {
  if (object.kind !== 'Secret') return [];
  const values = { ...object.data, ...object.stringData };
  const encrypted = typeof object.sops === 'object' && object.sops !== null;
  return Object.entries(values)
    .filter(([, value]) => !encrypted || !SOPS_VALUE.test(String(value)))
    .map(([key]) => key);
}

interface SecretUse {
  name: string;
  keys: string[];
  by: string;
}

function secretsUsedBy(workload: K8sObject): SecretUse[] {
  const by = workload.metadata.name;
  const fromEnv = (c: IContainer): SecretUse[] => [
    ...(c.env ?? []).flatMap((e) =>
      e.valueFrom?.secretKeyRef
        ? [{ name: e.valueFrom.secretKeyRef.name ?? '', keys: [e.valueFrom.secretKeyRef.key], by }]
        : [],
    ),
    ...(c.envFrom ?? []).flatMap((e) =>
      e.secretRef ? [{ name: e.secretRef.name ?? '', keys: [], by }] : [],
    ),
  ];
  const fromVolume = (v: IVolume): SecretUse[] => [
    ...(v.secret
      ? [{ name: v.secret.secretName ?? '', keys: (v.secret.items ?? []).map((i) => i.key), by }]
      : []),
    ...(v.projected?.sources ?? []).flatMap((source) =>
      source.secret
        ? [
            {
              name: source.secret.name ?? '',
              keys: (source.secret.items ?? []).map((i) => i.key),
              by,
            },
          ]
        : [],
    ),
  ];
  return [
    ...containersOf(workload).flatMap(fromEnv),
    ...(podSpec(workload).volumes ?? []).flatMap(fromVolume),
  ];
}

describe('Secrets', () => {
  it('finds a plain value in a Secret, and passes SOPS ciphertext (controls)', () => {
    const secret = (extra: Partial<K8sObject>): K8sObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x' },
      ...extra,
    });
    expect(plainSecretValues(secret({ stringData: { IOT_JWT_SECRET: 'hunter2' } }))).toEqual([
      'IOT_JWT_SECRET',
    ]);
    expect(
      plainSecretValues(
        secret({ stringData: { IOT_JWT_SECRET: 'ENC[AES256_GCM,data:abc,iv:d,tag:e,type:str]' } }),
      ),
      'ciphertext without the sops block',
    ).toEqual(['IOT_JWT_SECRET']);
    expect(
      plainSecretValues(
        secret({
          stringData: { IOT_JWT_SECRET: 'ENC[AES256_GCM,data:abc,iv:d,tag:e,type:str]' },
          sops: { age: [{ recipient: 'age1...' }] },
        }),
      ),
    ).toEqual([]);
    expect(
      plainSecretValues(secret({ data: { a: 'aHVudGVyMg==' }, sops: { age: [] } })),
      'base64 is not encryption',
    ).toEqual(['a']);
  });

  it('holds no plain Secret anywhere under k8s/', () => {
    const plain = yamlDocumentsIn('k8s').flatMap(({ file, object }) =>
      plainSecretValues(object).map((key) => `${file}: ${object.metadata.name}/${key}`),
    );
    expect(plain).toEqual([]);
  });
});

describe.skipIf(!renderable)(`Secrets in ${OVERLAY}`, () => {
  let rendered = new Rendered([]);
  beforeAll(() => {
    rendered = new Rendered(kustomize(OVERLAY));
  });

  it('renders no Secret and no secret as a plain env value', () => {
    expect(rendered.ofKind('Secret').map((s) => s.metadata.name)).toEqual([]);
    for (const o of rendered.workloads()) {
      for (const c of containersOf(o)) {
        for (const e of c.env ?? []) {
          if (SECRET_NAME.test(e.name)) expect(e.value, `${c.name}: ${e.name}`).toBeUndefined();
        }
      }
    }
  });

  it('documents in k8s/README.md every Secret it references, with the keys it reads', () => {
    const readme = readRepoFile('k8s/README.md');
    const rows = readme.split('\n').filter((line) => line.startsWith('| '));
    const uses = [
      ...rendered.workloads().flatMap(secretsUsedBy),
      ...rendered.ofKind('TriggerAuthentication').flatMap((auth) =>
        ((auth.spec?.secretTargetRef ?? []) as { name: string; key: string }[]).map((ref) => ({
          name: ref.name,
          keys: [ref.key],
          by: auth.metadata.name,
        })),
      ),
    ];
    expect(new Set(uses.map((u) => u.name)).size).toBeGreaterThanOrEqual(8);
    for (const use of uses) {
      // | `name` | `key` | ... , the name's row first, then its keys' rows.
      const at = rows.findIndex((row) => row.startsWith(`| \`${use.name}\``));
      expect(at, `${use.by}: Secret ${use.name}`).toBeGreaterThanOrEqual(0);
      const next = rows.findIndex((row, i) => i > at && /^\| `/.test(row));
      const own = rows.slice(at, next < 0 ? undefined : next);
      for (const key of use.keys) {
        expect(own.join('\n'), `${use.by}: ${use.name}/${key}`).toContain(`\`${key}\``);
      }
    }
  });
});

describe('Flux', () => {
  const flux = yamlDocumentsIn('k8s/flux').map((d) => d.object);
  const sync = (name: string) => {
    const found = flux.find((o) => o.kind === 'Kustomization' && o.metadata.name === name);
    if (!found) throw new Error(`no Flux Kustomization ${name}`);
    return found.spec as {
      path: string;
      sourceRef: { kind: string; name: string };
      dependsOn?: { name: string }[];
      decryption?: { provider: string; secretRef: { name: string } };
    };
  };

  it('applies the SOPS-encrypted Secrets first, then the overlay that needs them', () => {
    const source = flux.find((o) => o.kind === 'GitRepository');
    for (const name of ['iot-secrets', 'iot-platform']) {
      expect(sync(name).sourceRef).toEqual({
        kind: 'GitRepository',
        name: source?.metadata.name,
      });
      expect(sync(name).decryption).toEqual({ provider: 'sops', secretRef: { name: 'sops-age' } });
    }
    expect(sync('iot-platform').path).toBe(`./${OVERLAY}`);
    expect(sync('iot-platform').dependsOn).toEqual([{ name: 'iot-secrets' }]);
    expect(existsSync(repoPath(`${sync('iot-secrets').path}/kustomization.yaml`))).toBe(true);
    // The age key is a Secret of the cluster, created by hand (k8s/README.md).
    expect(readRepoFile('k8s/README.md')).toContain('create secret generic sops-age');
    // Flux fetches what the overlay reads: k8s/ and dependencies/.
    const ignore = String((source?.spec as { ignore?: string }).ignore);
    expect(ignore).toContain('!/k8s/');
    expect(ignore).toContain('!/dependencies/');
  });

  it.skipIf(!renderable)('builds the Secrets path, with nothing in it in plain text', () => {
    const secrets = kustomize(sync('iot-secrets').path.replace(/^\.\//, ''));
    expect(secrets.flatMap(plainSecretValues)).toEqual([]);
    expect(secrets.every((o) => o.kind === 'Secret')).toBe(true);
  });
});
