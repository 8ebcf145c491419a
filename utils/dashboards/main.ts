// `npm run gen:dashboards`: writes the provisioned dashboards from their typed code.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS_DIR, generateDashboards } from './generate.js';

for (const [file, text] of await generateDashboards()) {
  writeFileSync(path.join(DASHBOARDS_DIR, file), text);
  console.log(`wrote ${path.relative(process.cwd(), path.join(DASHBOARDS_DIR, file))}`);
}
