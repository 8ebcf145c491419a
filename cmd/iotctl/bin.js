#!/usr/bin/env node
// `npx iotctl` in a checkout: the CLI is TypeScript, so register tsx's loader first, then load
// main.ts. The import is dynamic because a static one would run before the loader exists.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
