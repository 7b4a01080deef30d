import { expect, inject, it } from 'vitest';
import { Api } from 'telegram';
import { createGramJsClient } from 'mtmock/adapters/gramjs';
import { AdminClient } from 'mtmock/admin-client';

it('reaches the mock started by globalSetup', async () => {
  const target = inject('mtmock');
  const client = createGramJsClient(target);
  try {
    await client.connect();
    const config = await client.invoke(new Api.help.GetConfig());
    expect(config.dcOptions[0].port).toBe(target.port);
    const health = await AdminClient.at(target.host, target.port).health();
    expect(health.authKeys).toBeGreaterThanOrEqual(1);
  } finally {
    await client.destroy();
  }
});
