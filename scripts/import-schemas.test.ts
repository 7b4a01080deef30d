import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TlCombinator, TlSchemaData } from '../server/tl/types.js';

interface ParsedTl {
  constructors: TlCombinator[];
  methods: TlCombinator[];
}

/** The exports of import-schemas.mjs that these tests use. */
interface ImportSchemasModule {
  OUTPUT_DIR: string;
  SOURCES: Array<{ package: string; file: string }>;
  crc32(text: string): number;
  computeTlId(declaration: string): number;
  parseTl(text: string): ParsedTl;
  buildAll(): Array<{ path: string; text: string }>;
}

const scriptPath = fileURLToPath(new URL('./import-schemas.mjs', import.meta.url));
// A computed specifier keeps TypeScript from looking for declarations of the .mjs file.
const script = (await import(/* @vite-ignore */ scriptPath)) as ImportSchemasModule;
const require = createRequire(import.meta.url);

function readSchema(fileName: string): TlSchemaData {
  return JSON.parse(readFileSync(join(script.OUTPUT_DIR, fileName), 'utf8')) as TlSchemaData;
}

function findIn(schema: TlSchemaData, name: string): TlCombinator | undefined {
  return [...schema.constructors, ...schema.methods].find((c) => c.name === name);
}

describe('import-schemas output', () => {
  it('matches the committed JSON files', () => {
    const outputs = script.buildAll();
    expect(outputs.map((o) => o.path.split(/[/\\]/).pop())).toEqual([
      'mtproto.json',
      'api-198.json',
    ]);
    for (const output of outputs) {
      expect(readFileSync(output.path, 'utf8'), output.path).toBe(output.text);
    }
  });

  it('passes --check', () => {
    const run = spawnSync(process.execPath, [scriptPath, '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('contains known ids', () => {
    const api = readSchema('api-198.json');
    const mtproto = readSchema('mtproto.json');
    expect(api.layer).toBe(198);
    expect(api.source).toMatch(/^telegram@2\.26\.22 tl\/apiTl\.js$/);
    expect(mtproto.layer).toBe(0);

    const expected: Array<[TlSchemaData, string, number, TlCombinator['kind']]> = [
      [api, 'config', 0xcc1a241e, 'constructor'],
      [api, 'user', 0x4b46c37e, 'constructor'],
      [api, 'help.getConfig', 0xc4f9186b, 'method'],
      [api, 'invokeWithLayer', 0xda9b0d0d, 'method'],
      [mtproto, 'req_pq_multi', 0xbe7e8ef1, 'method'],
      [mtproto, 'p_q_inner_data_dc', 0xa9f55f95, 'constructor'],
      [mtproto, 'msg_container', 0x73f1f8dc, 'constructor'],
      [mtproto, 'rpc_result', 0xf35c6d01, 'constructor'],
      [mtproto, 'message', 0x5bb8e511, 'constructor'],
      [mtproto, 'gzip_packed', 0x3072cfa1, 'constructor'],
    ];
    for (const [schema, name, id, kind] of expected) {
      const combinator = findIn(schema, name);
      expect(combinator?.id, name).toBe(id);
      expect(combinator?.kind, name).toBe(kind);
    }
  });

  it('keeps parameter types as written', () => {
    const api = readSchema('api-198.json');
    const types = (name: string) => findIn(api, name)?.params.map((p) => `${p.name}:${p.type}`);
    expect(types('invokeWithLayer')).toEqual(['layer:int', 'query:!X']);
    expect(types('account.passwordInputSettings')).toEqual([
      'flags:#',
      'new_algo:flags.0?PasswordKdfAlgo',
      'new_password_hash:flags.0?bytes',
      'hint:flags.0?string',
      'email:flags.1?string',
      'new_secure_settings:flags.2?SecureSecretSettings',
    ]);
    expect(findIn(api, 'users.getUsers')?.type).toBe('Vector<User>');
    expect(findIn(api, 'vector')).toBeUndefined();
  });

  it('rewrites service strings to bytes', () => {
    const mtproto = readSchema('mtproto.json');
    const stringParams = [...mtproto.constructors, ...mtproto.methods].flatMap((c) =>
      c.params.filter((p) => /\bstring\b/.test(p.type)).map((p) => `${c.name}.${p.name}`),
    );
    expect(stringParams).toEqual(['rpc_error.error_message']);
    const reqDhParams = findIn(mtproto, 'req_DH_params')!;
    expect(reqDhParams.params.find((p) => p.name === 'encrypted_data')?.type).toBe('bytes');
    const serverDh = findIn(mtproto, 'server_DH_inner_data')!;
    expect(serverDh.params.map((p) => p.type)).toContain('bytes');
    // The API schema keeps its strings.
    const api = readSchema('api-198.json');
    expect(findIn(api, 'auth.sendCode')?.params[0]).toEqual({
      name: 'phone_number',
      type: 'string',
    });
  });
});

describe('import-schemas TL parsing', () => {
  it('computes CRC-32 like zlib', () => {
    // The standard CRC-32 check value.
    expect(script.crc32('123456789')).toBe(0xcbf43926);
  });

  it('reproduces explicit GramJS ids', () => {
    const text = require('telegram/tl/apiTl.js') as string;
    const mismatches: string[] = [];
    let checked = 0;
    for (const line of text.split('\n')) {
      const explicit = /^[\w.]+#([0-9a-f]+) /.exec(line);
      if (!explicit) continue;
      checked++;
      if (script.computeTlId(line) !== parseInt(explicit[1], 16)) mismatches.push(line);
    }
    expect(checked).toBeGreaterThan(2000);
    expect(mismatches).toEqual([]);
  });

  it('computes ids of declarations without one', () => {
    expect(
      script.computeTlId('message msg_id:long seqno:int bytes:int body:Object = Message;'),
    ).toBe(0x5bb8e511);
    expect(script.computeTlId('boolFalse = Bool')).toBe(0xbc799737);
    const parsed = script.parseTl('ipPort ipv4:int port:int = IpPort;');
    expect(parsed.constructors[0].id).toBe(0xd433ad73);
  });

  it('parses sections, comments and built-ins', () => {
    const parsed = script.parseTl(`
// a comment line
int ? = Int;
vector#1cb5c415 {t:Type} # [ t ] = Vector t;
int128 4*[ int ] = Int128;
first#00000001 a:int b:flags.0?string = First; // trailing comment
second#00000002 flags:#
    c:Vector<long> = Second;

---functions---
doIt#00000010 {X:Type} query:!X = X;
---types---
third#00000003 items:vector<%Message> = Third;
`);
    expect(parsed.constructors.map((c) => [c.name, c.id, c.type])).toEqual([
      ['first', 1, 'First'],
      ['second', 2, 'Second'],
      ['third', 3, 'Third'],
    ]);
    expect(parsed.constructors[0].params).toEqual([
      { name: 'a', type: 'int' },
      { name: 'b', type: 'flags.0?string' },
    ]);
    expect(parsed.constructors[1].params.map((p) => p.type)).toEqual(['#', 'Vector<long>']);
    expect(parsed.constructors[2].params[0].type).toBe('vector<%Message>');
    expect(parsed.methods).toEqual([
      {
        id: 0x10,
        name: 'doIt',
        params: [{ name: 'query', type: '!X' }],
        type: 'X',
        kind: 'method',
      },
    ]);
  });

  it('rejects malformed declarations', () => {
    expect(() => script.parseTl('broken#1 a:int = Broken')).toThrow(/unterminated/);
    expect(() => script.parseTl('broken#1 a:int\n---functions---\n')).toThrow(/unterminated/);
    expect(() => script.parseTl('broken#1 a = Broken;')).toThrow(/invalid TL parameter "a"/);
    expect(() => script.parseTl('broken#1 a:int;')).toThrow(/no " = "/);
    expect(() => script.parseTl('---other---')).toThrow(/unknown TL section marker/);
  });

  it('lists its sources as table rows', () => {
    expect(script.SOURCES.map((s) => `${s.package}/${s.file}`)).toEqual([
      'telegram/tl/schemaTl.js',
      'telegram/tl/apiTl.js',
    ]);
  });
});
