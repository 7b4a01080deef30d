import type { TestProject } from 'vitest/node';
import { startMockServer } from 'mtmock';

declare module 'vitest' {
  export interface ProvidedContext {
    mtmock: { host: string; port: number; publicKeyPem: string };
  }
}

// One mock for the whole run; test files read its address with inject('mtmock').
export default async function setup(project: TestProject) {
  const mock = await startMockServer({ logLevel: 'silent' });
  project.provide('mtmock', {
    host: mock.host,
    port: mock.port,
    publicKeyPem: mock.serverKey.publicKeyPem,
  });
  return () => mock.stop();
}
