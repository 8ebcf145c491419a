// dependencies/prometheus passes promtool (Debian's prometheus package, which utils/stack.sh
// installs), and scrapes every service there is a cmd/ folder for.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROMETHEUS_DIR, promtoolCheck } from './test/prometheus.js';
import { repoRoot } from './test/stack-env.js';

/** cmd/ folders that are not long-running services: nothing to scrape. */
const NOT_SCRAPED = new Set(['iotctl', 'migrate', 'sensor-simulation']);

describe('dependencies/prometheus', () => {
  it('prometheus.yml passes promtool check config, rules.yml promtool check rules', async () => {
    expect(await promtoolCheck('config', path.join(PROMETHEUS_DIR, 'prometheus.yml'))).toMatch(
      /SUCCESS/,
    );
    expect(await promtoolCheck('rules', path.join(PROMETHEUS_DIR, 'rules.yml'))).toMatch(/SUCCESS/);
  });

  it('scrapes every service and RabbitMQ', () => {
    const config = parse(readFileSync(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string }[];
    };
    const jobs = config.scrape_configs.map((job) => job.job_name);
    const services = readdirSync(path.join(repoRoot, 'cmd')).filter((d) => !NOT_SCRAPED.has(d));
    expect(jobs).toEqual(expect.arrayContaining([...services, 'rabbitmq', 'rabbitmq-queues']));
  });
});
