import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defaultRegistry, findSchemaDirectory, TlRegistry } from './registry.js';
import type { TlCombinator, TlSchemaData } from './types.js';

function combinator(
  name: string,
  id: number,
  type: string,
  kind: TlCombinator['kind'] = 'constructor',
  params: TlCombinator['params'] = [],
): TlCombinator {
  return { id, name, params, type, kind };
}

function schema(layer: number, constructors: TlCombinator[], methods: TlCombinator[] = []) {
  return {
    layer,
    source: `synthetic layer ${layer}`,
    constructors,
    methods,
  } satisfies TlSchemaData;
}

// Ids encode the layer that defines them, so each assertion shows which schema won.
const service = schema(
  0,
  [
    combinator('message', 0x5bb8e511, 'Message', 'constructor', [{ name: 'body', type: 'Object' }]),
    combinator('msg_container', 0x73f1f8dc, 'MessageContainer', 'constructor', [
      { name: 'messages', type: 'vector<%Message>' },
    ]),
  ],
  [combinator('ping', 0x7abe77ec, 'Pong', 'method')],
);
const api100 = schema(
  100,
  [
    combinator('user', 0x100001, 'User'),
    combinator('oldOnly', 0x100002, 'Old'),
    combinator('message', 0x100003, 'Message'),
  ],
  [combinator('users.getUsers', 0x100101, 'Vector<User>', 'method')],
);
const api150 = schema(150, [combinator('user', 0x150001, 'User')], []);
const api200 = schema(
  200,
  [
    combinator('user', 0x200001, 'User'),
    combinator('newer', 0x200002, 'Newer'),
    combinator('message', 0x200003, 'Message'),
  ],
  [combinator('users.getUsers', 0x200101, 'Vector<User>', 'method')],
);
const api300 = schema(300, [combinator('newer', 0x300002, 'Newer')]);

function syntheticRegistry(): TlRegistry {
  return new TlRegistry({ service, api: [api200, api100, api300, api150] });
}

describe('TlRegistry layer rule', () => {
  it('lists layers ascending', () => {
    const registry = syntheticRegistry();
    expect(registry.layers).toEqual([100, 150, 200, 300]);
    expect(registry.defaultLayer).toBe(300);
    expect(registry.view().layer).toBe(300);
  });

  it('picks newest schema at or below', () => {
    const registry = syntheticRegistry();
    const cases: Array<[number, number]> = [
      [100, 0x100001],
      [149, 0x100001],
      [150, 0x150001],
      [199, 0x150001],
      [200, 0x200001],
      [1000, 0x200001],
    ];
    for (const [layer, id] of cases) {
      expect(registry.view(layer).constructorByName('user')?.id, `layer ${layer}`).toBe(id);
    }
  });

  it('falls back to oldest schema', () => {
    const registry = syntheticRegistry();
    // No schema at or below 99 exists at all.
    expect(registry.view(99).constructorByName('user')?.id).toBe(0x100001);
    // `newer` exists in 200 and 300 only, so layer 150 gets the 200 definition.
    expect(registry.view(150).constructorByName('newer')?.id).toBe(0x200002);
    expect(registry.view(250).constructorByName('newer')?.id).toBe(0x200002);
    expect(registry.view(300).constructorByName('newer')?.id).toBe(0x300002);
    // `oldOnly` exists in 100 only, so every layer gets it.
    expect(registry.view(300).constructorByName('oldOnly')?.id).toBe(0x100002);
  });

  it('applies the rule to methods', () => {
    const registry = syntheticRegistry();
    expect(registry.view(150).methodByName('users.getUsers')?.id).toBe(0x100101);
    expect(registry.view(220).methodByName('users.getUsers')?.id).toBe(0x200101);
    expect(registry.view(220).constructorByName('users.getUsers')).toBeUndefined();
    expect(registry.view(220).methodByName('user')).toBeUndefined();
  });

  it('finds ids of every layer', () => {
    const view = syntheticRegistry().view(100);
    expect(view.byId(0x300002)?.name).toBe('newer');
    expect(view.byId(0x150001)?.name).toBe('user');
    expect(view.byId(0x200101)?.kind).toBe('method');
    expect(view.byId(0x7abe77ec)?.name).toBe('ping');
    expect(view.byId(0xdeadbeef)).toBeUndefined();
  });

  it('merges the service schema in', () => {
    const view = syntheticRegistry().view(200);
    expect(view.methodByName('ping')?.id).toBe(0x7abe77ec);
    expect(view.constructorByName('msg_container')?.id).toBe(0x73f1f8dc);
    // Both schemas define `message`; the API one wins without a context.
    expect(view.constructorByName('message')?.id).toBe(0x200003);
    expect(view.constructorsOfType('Message').map((c) => c.id)).toEqual([0x200003]);
    // The service schema comes right after the view's first API schema, so it wins over the
    // older layer 100 here.
    expect(syntheticRegistry().view(150).constructorByName('message')?.id).toBe(0x5bb8e511);
  });

  it('searches service schema first inside service', () => {
    const view = syntheticRegistry().view(200);
    const container = view.constructorByName('msg_container');
    expect(container).toBeDefined();
    expect(view.isServiceCombinator(container!)).toBe(true);
    expect(view.constructorByName('message', container)?.id).toBe(0x5bb8e511);
    expect(view.constructorsOfType('Message', container).map((c) => c.id)).toEqual([0x5bb8e511]);
    // An API context keeps the API schemas first.
    const user = view.constructorByName('user');
    expect(view.isServiceCombinator(user!)).toBe(false);
    expect(view.constructorByName('message', user)?.id).toBe(0x200003);
  });

  it('returns one view object per layer', () => {
    const registry = syntheticRegistry();
    expect(registry.view(150)).toBe(registry.view(150));
    expect(registry.view(150)).not.toBe(registry.view(151));
  });

  it('rejects invalid input', () => {
    expect(() => new TlRegistry({ service, api: [] })).toThrow(/at least one API schema/);
    expect(() => new TlRegistry({ service, api: [api100, api100] })).toThrow(/layer 100/);
    expect(() => syntheticRegistry().view(-1)).toThrow(RangeError);
    expect(() => syntheticRegistry().view(1.5)).toThrow(RangeError);
  });
});

describe('TlRegistry loading', () => {
  it('loads layers lazily', () => {
    const load100 = vi.fn(() => api100);
    const load200 = vi.fn(() => api200);
    const registry = new TlRegistry({
      service,
      api: [
        { layer: 100, load: load100 },
        { layer: 200, load: load200 },
      ],
    });
    expect(registry.layers).toEqual([100, 200]);
    expect(load100).not.toHaveBeenCalled();
    expect(load200).not.toHaveBeenCalled();

    expect(registry.view(200).constructorByName('user')?.id).toBe(0x200001);
    expect(load200).toHaveBeenCalledTimes(1);
    expect(load100).not.toHaveBeenCalled();

    expect(registry.view(200).constructorByName('oldOnly')?.id).toBe(0x100002);
    expect(registry.view(100).constructorByName('user')?.id).toBe(0x100001);
    expect(load100).toHaveBeenCalledTimes(1);
    expect(load200).toHaveBeenCalledTimes(1);
  });

  it('rejects loader layer mismatch', () => {
    const registry = new TlRegistry({ service, api: [{ layer: 150, load: () => api200 }] });
    expect(() => registry.view(150).constructorByName('user')).toThrow(
      /registered as layer 150 contains layer 200/,
    );
  });

  describe('from a directory', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mtmock-tl-'));
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it('reads api-<layer>.json files lazily', () => {
      writeFileSync(join(directory, 'mtproto.json'), JSON.stringify(service));
      writeFileSync(join(directory, 'api-200.json'), JSON.stringify(api200));
      // A broken file for layer 100 shows that layer 200 lookups never parse it.
      writeFileSync(join(directory, 'api-100.json'), '{ not json');
      writeFileSync(join(directory, 'api-x.json'), '{}');
      writeFileSync(join(directory, 'notes.txt'), 'ignored');

      const registry = TlRegistry.fromDirectory(directory);
      expect(registry.layers).toEqual([100, 200]);
      expect(registry.view(200).constructorByName('user')?.id).toBe(0x200001);
      expect(registry.view(200).methodByName('ping')?.id).toBe(0x7abe77ec);
      expect(registry.view(200).byId(0x200002)?.name).toBe('newer');
      expect(() => registry.view(200).constructorByName('oldOnly')).toThrow(SyntaxError);
    });
  });
});

describe('bundled schemas', () => {
  it('are found next to the module', () => {
    expect(findSchemaDirectory()).toMatch(/server[/\\]tl[/\\]schemas[/\\]?$/);
  });

  it('serve layer 198', () => {
    const registry = defaultRegistry();
    expect(registry).toBe(defaultRegistry());
    expect(registry.layers).toContain(198);
    const view = registry.view(198);
    expect(view.constructorByName('config')?.id).toBe(0xcc1a241e);
    expect(view.methodByName('help.getConfig')?.id).toBe(0xc4f9186b);
    expect(view.methodByName('req_pq_multi')?.id).toBe(0xbe7e8ef1);
    expect(view.byId(0x73f1f8dc)?.name).toBe('msg_container');
    // The chat message wins except inside msg_container.
    const container = view.byId(0x73f1f8dc)!;
    expect(view.constructorByName('message')?.type).toBe('Message');
    expect(view.constructorByName('message')?.id).not.toBe(0x5bb8e511);
    expect(view.constructorsOfType('Message').length).toBeGreaterThan(1);
    expect(view.constructorsOfType('Message', container).map((c) => c.id)).toEqual([0x5bb8e511]);
  });
});
