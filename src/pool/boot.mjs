// A worker thread of the run: the code is TypeScript, loaded through tsx as in bin/accords.js.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
