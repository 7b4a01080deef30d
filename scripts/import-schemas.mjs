#!/usr/bin/env node
/**
 * Imports TL schemas from published client packages in node_modules and writes them as JSON
 * (`TlSchemaData`, see server/tl/types.ts) to server/tl/schemas/.
 *
 * Usage: `node scripts/import-schemas.mjs` writes the files. With `--check` it writes nothing and
 * exits with status 1 when a committed file differs from what the installed packages produce.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT_DIR = join(ROOT, 'server', 'tl', 'schemas');

/**
 * MTProto service combinators that GramJS 2.26.22 leaves out of tl/schemaTl.js because it
 * implements them by hand (tl/core). Ids and layouts are those of the MTProto service schema
 * published at core.telegram.org/schema/mtproto. `message` has no explicit id there, so its id
 * is computed like any other (it comes out as 5bb8e511).
 */
const MTPROTO_SUPPLEMENT = `
rpc_result#f35c6d01 req_msg_id:long result:Object = RpcResult;
msg_container#73f1f8dc messages:vector<%Message> = MessageContainer;
message msg_id:long seqno:int bytes:int body:Object = Message;
msg_copy#e06046b2 orig_message:Message = MessageCopy;
gzip_packed#3072cfa1 packed_data:bytes = Object;
`;

/**
 * The schemas to import, one row each. `package` is the folder under node_modules, so a package
 * installed under an npm alias (`"tl-layer-143": "npm:telegram@2.10.10"`) is named by its alias.
 * `layer` is a number, `{ file, export }` naming a CommonJS module export that contains it, or
 * `{ file, pattern }` naming a file whose text matches `pattern` with the layer as its first
 * group, for modules that cannot be loaded on their own. `install` is the devDependencies spec
 * of an alias. `reader` names an entry of READERS.
 * `service` marks the MTProto service schema, which gets the string-to-bytes rewrite described
 * at `rewriteServiceStrings`.
 *
 * No published package carries layer 144, the layer of Telethon 1.25.1. A layer-144 client gets
 * each name from the layer-143 schema by the nearest-older rule of server/tl/schema-view.ts.
 */
export const SOURCES = [
  {
    package: 'telegram',
    file: 'tl/schemaTl.js',
    reader: 'tl-text-module',
    layer: 0,
    service: true,
    extraTl: MTPROTO_SUPPLEMENT,
  },
  {
    // NOTE: Telethon 1.25.1 (layer 144) has other ids than this schema for userFull, stickerSet,
    // messages.featuredStickers, payments.paymentForm and five payments/account methods.
    package: 'tl-layer-143',
    install: 'npm:telegram@2.10.10',
    file: 'tl/apiTl.js',
    reader: 'tl-text-module',
    layer: { file: 'tl/AllTLObjects.js', export: 'LAYER' },
  },
  {
    package: 'tl-layer-158',
    install: 'npm:telegram@2.17.10',
    file: 'tl/apiTl.js',
    reader: 'tl-text-module',
    layer: { file: 'tl/AllTLObjects.js', export: 'LAYER' },
  },
  {
    package: 'telegram',
    file: 'tl/apiTl.js',
    reader: 'tl-text-module',
    layer: { file: 'tl/AllTLObjects.js', export: 'LAYER' },
  },
  {
    package: 'teleproto',
    file: 'tl/apiTl.js',
    reader: 'tl-text-module',
    layer: { file: 'tl/AllTLObjects.js', export: 'LAYER' },
  },
  {
    // mtcute's client sends the LAYER constant of tl/inner-tl.js, an ES module with imports.
    package: '@mtcute/core',
    file: 'tl/api-schema.json',
    reader: 'mtcute-json',
    layer: { file: 'tl/inner-tl.js', pattern: 'const LAYER = (\\d+);' },
  },
  {
    // teleproto 1.2xx ships parsed definitions instead of TL text, and its registry module
    // loads the whole client.
    package: 'tl-layer-229',
    install: 'npm:teleproto@1.229.0',
    file: 'tl/generated/api-definitions.js',
    reader: 'gramjs-definitions-module',
    layer: { file: 'tl/runtime/registry.js', pattern: 'exports\\.LAYER = (\\d+);' },
  },
];

/**
 * Readers that turn a package file into TL text. Each takes the file's absolute path and returns
 * `{ text }`, plus `layer` when the file states its layer and `skipped` for the names it leaves
 * out on purpose.
 */
const READERS = {
  /** A CommonJS module whose `module.exports` is the TL text (GramJS tl/apiTl.js). */
  'tl-text-module': (path) => {
    const text = createRequire(import.meta.url)(path);
    if (typeof text !== 'string') {
      throw new Error(`${path} does not export a TL text string; check the row's reader`);
    }
    return { text };
  },
  'mtcute-json': readMtcuteJson,
  'gramjs-definitions-module': readGramJsDefinitions,
};

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Computes the CRC-32 (IEEE 802.3, as zlib) of a string's UTF-8 bytes. */
export function crc32(text) {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Computes the id of a declaration written without `#id`: the CRC-32 of the normalized text. The
 * standard TL normalization drops the `#id` and `;`, drops `name:flags.N?true` fields, reads
 * `bytes` as `string`, turns `<`, `>`, `{`, `}` into spaces and collapses whitespace. Applied to
 * every declaration of telegram@2.26.22 apiTl.js, it reproduces each explicit id.
 */
export function computeTlId(declaration) {
  const withoutId = declaration.replace(/;\s*$/, '').replace(/^([\w.]+)#[0-9a-fA-F]+/, '$1');
  const tokens = withoutId.split(/\s+/).filter((token) => !/^\w+:flags\d*\.\d+\?true$/.test(token));
  const normalized = tokens
    .join(' ')
    .replace(/[<>{}]/g, ' ')
    .replace(/([:?])bytes\b/g, '$1string')
    .replace(/\s+/g, ' ')
    .trim();
  return crc32(normalized);
}

/**
 * Tells whether a declaration defines a built-in type rather than a combinator, for example
 * `int ? = Int;`, `int128 4*[ int ] = Int128;` or the `vector#1cb5c415 {t:Type} # [ t ] = Vector t;`
 * line. The codec implements those types itself.
 */
function isBuiltinDeclaration(declaration) {
  return / \? = /.test(declaration) || declaration.includes('[');
}

/**
 * Parses TL text into constructors and methods. Comments (`//` to the end of the line), blank
 * lines and built-in type lines are skipped, `{X:Type}` generic declarations are ignored, and
 * each parameter type is kept as written.
 */
export function parseTl(text) {
  const constructors = [];
  const methods = [];
  let kind = 'constructor';
  let pending = '';

  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;

    const section = /^---(\w+)---$/.exec(line);
    if (section) {
      if (pending.trim() !== '') {
        throw new Error(`unterminated TL declaration before ${line}: ${pending.trim()}`);
      }
      if (section[1] === 'functions') kind = 'method';
      else if (section[1] === 'types') kind = 'constructor';
      else
        throw new Error(
          `unknown TL section marker ${line}; expected ---functions--- or ---types---`,
        );
      continue;
    }

    // A declaration may span lines, so collect text up to each `;`.
    pending += ` ${line}`;
    let end = pending.indexOf(';');
    while (end !== -1) {
      const declaration = pending.slice(0, end).replace(/\s+/g, ' ').trim();
      pending = pending.slice(end + 1);
      if (declaration !== '' && !isBuiltinDeclaration(declaration)) {
        const combinator = parseDeclaration(declaration, kind);
        (kind === 'method' ? methods : constructors).push(combinator);
      }
      end = pending.indexOf(';');
    }
  }
  if (pending.trim() !== '') {
    throw new Error(`unterminated TL declaration at the end of the text: ${pending.trim()}`);
  }
  return { constructors, methods };
}

function parseDeclaration(declaration, kind) {
  const equals = declaration.indexOf(' = ');
  if (equals === -1) {
    throw new Error(`invalid TL declaration (no " = "): ${declaration}`);
  }
  const [head, ...paramTokens] = declaration.slice(0, equals).split(' ');
  const type = declaration.slice(equals + 3).trim();

  const nameAndId = /^([A-Za-z_][\w.]*)(?:#([0-9a-fA-F]{1,8}))?$/.exec(head);
  if (!nameAndId) {
    throw new Error(`invalid TL combinator name ${JSON.stringify(head)} in: ${declaration}`);
  }
  const [, name, hexId] = nameAndId;
  const id = hexId === undefined ? computeTlId(declaration) : parseInt(hexId, 16) >>> 0;

  const params = [];
  for (const token of paramTokens) {
    if (/^\{\w+:\w+\}$/.test(token)) continue;
    const param = /^(\w+):(\S+)$/.exec(token);
    if (!param) {
      throw new Error(`invalid TL parameter ${JSON.stringify(token)} in: ${declaration}`);
    }
    params.push({ name: param[1], type: param[2] });
  }
  return { id, name, params, type, kind };
}

/**
 * Rewrites `string` to `bytes` in every parameter type of the MTProto service schema except
 * `rpc_error`. That schema types the key exchange's binary numbers (`pq`, `p`, `q`, `dh_prime`,
 * `g_a`, `g_b`, `encrypted_data`, `encrypted_answer`) as `string`. Both types share one wire format.
 * After the rewrite, the codec reads every `string` as UTF-8 text and every `bytes` as a
 * Buffer. `rpc_error.error_message` is text, so it keeps `string`.
 */
export function rewriteServiceStrings(combinators) {
  return combinators.map((combinator) => {
    if (combinator.name === 'rpc_error') return combinator;
    return {
      ...combinator,
      params: combinator.params.map((param) => ({
        name: param.name,
        type: param.type.replace(/\bstring\b/g, 'bytes'),
      })),
    };
  });
}

/** Formats a combinator id as the 8 hex digits that TL text writes after `#`. */
function formatId(id) {
  return (id >>> 0).toString(16).padStart(8, '0');
}

/** Namespace of the entries that mtcute adds for its own use. Telegram's servers lack them. */
const MTCUTE_OWN_NAMESPACE = 'mtcute.';

/** typeModifiers keys that `mtcuteType` understands. */
const MTCUTE_MODIFIERS = new Set(['predicate', 'isVector', 'isBareVector', 'constructorId']);

/**
 * Writes one mtcute JSON type as TL text. mtcute's `int53` is a `long` on the wire that mtcute
 * reads as a JS number. `constructorId`, on a method's result, only names the single
 * constructor of the result type.
 */
function mtcuteType(type, modifiers = {}, where) {
  const unknown = Object.keys(modifiers).filter((key) => !MTCUTE_MODIFIERS.has(key));
  if (unknown.length > 0) {
    throw new Error(
      `${where}: unknown mtcute typeModifiers ${unknown.join(', ')}; extend the reader`,
    );
  }
  let text = type === 'int53' ? 'long' : type;
  if (modifiers.isVector) text = `Vector<${text}>`;
  else if (modifiers.isBareVector) text = `vector<${text}>`;
  return modifiers.predicate ? `${modifiers.predicate}?${text}` : text;
}

/**
 * Reads mtcute's tl/api-schema.json (`{ l: layer, e: entries }`, each entry a `class` or
 * `method` with `arguments` and `typeModifiers`) and writes it as TL text with explicit ids.
 *
 * Two kinds of entries are skipped and listed in `skipped`: the `mtcute.` namespace, and entries
 * whose id is not the id of their text. mtcute keeps two legacy constructors of older layers
 * under new names (`inputPeerPhotoFileLocationLegacy`, `inputStickerSetThumbLegacy`), which
 * makes their ids differ, and neither is in any layer's published schema.
 */
function readMtcuteJson(path) {
  const schema = JSON.parse(readFileSync(path, 'utf8'));
  if (!Number.isInteger(schema.l) || !Array.isArray(schema.e)) {
    throw new Error(`${path} is not an mtcute TL schema: expected a layer "l" and entries "e"`);
  }
  const types = [];
  const functions = [];
  const skipped = [];
  for (const entry of schema.e) {
    if (entry.name.startsWith(MTCUTE_OWN_NAMESPACE)) {
      skipped.push(entry.name);
      continue;
    }
    const where = `${path} ${entry.name}`;
    const generics = (entry.generics ?? []).map((generic) => `{${generic.name}:${generic.type}}`);
    const params = entry.arguments.map(
      (arg) => `${arg.name}:${mtcuteType(arg.type, arg.typeModifiers, `${where}.${arg.name}`)}`,
    );
    const result = mtcuteType(entry.type, entry.typeModifiers, where);
    const body = [...generics, ...params, '=', result].join(' ');
    if (computeTlId(`${entry.name} ${body}`) !== entry.id >>> 0) {
      skipped.push(entry.name);
      continue;
    }
    const line = `${entry.name}#${formatId(entry.id)} ${body};`;
    if (entry.kind === 'class') types.push(line);
    else if (entry.kind === 'method') functions.push(line);
    else throw new Error(`${where}: unknown entry kind ${JSON.stringify(entry.kind)}`);
  }
  const text = [...types, '---functions---', ...functions, ''].join('\n');
  return { text, layer: schema.l, skipped };
}

/**
 * Restores a TL parameter name from GramJS's camelCase. GramJS turns each `_` followed by a
 * lower-case letter into that letter in upper case and keeps everything else (`srp_B`, `A`),
 * so an upper-case letter that neither starts the name nor follows `_` was `_` plus the letter.
 */
export function snakeCaseParamName(name) {
  return name.replace(/(?<=[^_])[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Restores a TL combinator name: GramJS capitalizes the part after the namespace. */
function gramJsCombinatorName(definition) {
  const base = definition.name[0].toLowerCase() + definition.name.slice(1);
  return definition.namespace ? `${definition.namespace}.${base}` : base;
}

function gramJsParamType(arg, definition) {
  let text = arg.flagIndicator ? '#' : arg.type;
  // A generic method's query parameter: GramJS drops the `!` of `!X`.
  if (text === 'X' && definition.result === 'X') text = '!X';
  if (arg.isVector) text = `${arg.useVectorId ? 'Vector' : 'vector'}<${text}>`;
  return arg.isFlag ? `${arg.flagName}.${arg.flagIndex}?${text}` : text;
}

/**
 * Reads a CommonJS module that exports GramJS-style parsed definitions (teleproto 1.2xx
 * tl/generated/api-definitions.js: `name`, `constructorId`, `argsConfig`, `result`,
 * `isFunction`, `namespace`) and writes them as TL text with explicit ids. The list contains the
 * API constructors, the API methods, then the MTProto schema from `ResPQ` on, which is left out.
 * Each rebuilt declaration must hash to its `constructorId`, which checks the restored names
 * and types. Names of `flags.N?true` parameters do not enter the hash.
 */
function readGramJsDefinitions(path) {
  const definitions = createRequire(import.meta.url)(path);
  if (!Array.isArray(definitions)) {
    throw new Error(`${path} does not export an array of definitions; check the row's reader`);
  }
  const types = [];
  const functions = [];
  for (const definition of definitions) {
    if (!definition.isFunction && functions.length > 0) {
      // The API methods are done, and the MTProto schema starts.
      if (definition.name !== 'ResPQ') {
        throw new Error(
          `${path}: expected the MTProto schema to start with ResPQ after the API methods, ` +
            `found ${definition.name}; check the file's layout`,
        );
      }
      break;
    }
    const name = gramJsCombinatorName(definition);
    const generics = definition.result === 'X' ? ['{X:Type}'] : [];
    const params = Object.entries(definition.argsConfig).map(
      ([argName, arg]) => `${snakeCaseParamName(argName)}:${gramJsParamType(arg, definition)}`,
    );
    const body = [...generics, ...params, '=', definition.result].join(' ');
    const computed = computeTlId(`${name} ${body}`);
    if (computed !== definition.constructorId >>> 0) {
      throw new Error(
        `${path}: rebuilt ${name} ${body} has id ${formatId(computed)}, but the package states ` +
          `${formatId(definition.constructorId)}; fix the reader`,
      );
    }
    const line = `${name}#${formatId(definition.constructorId)} ${body};`;
    (definition.isFunction ? functions : types).push(line);
  }
  return { text: [...types, '---functions---', ...functions, ''].join('\n') };
}

function readPackageJson(packageDir) {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
}

function resolveLayer(packageDir, layer) {
  if (typeof layer === 'number') return layer;
  const path = join(packageDir, layer.file);
  let value;
  if (layer.export !== undefined) {
    value = createRequire(import.meta.url)(path)[layer.export];
  } else {
    const match = new RegExp(layer.pattern).exec(readFileSync(path, 'utf8'));
    if (!match) throw new Error(`${path} does not match ${layer.pattern}; update the row's layer`);
    value = Number(match[1]);
  }
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${layer.file} states layer ${value}, expected a positive integer`);
  }
  return value;
}

function findDuplicates(combinators) {
  const seen = new Set();
  return combinators.map((c) => c.name).filter((name) => seen.has(name) || !seen.add(name));
}

/**
 * Builds the schema data of one SOURCES row from the packages under `rootDir`/node_modules.
 * Returns the output file name, the data, and the names the reader left out on purpose.
 */
export function importSource(source, rootDir = ROOT) {
  const packageDir = join(rootDir, 'node_modules', source.package);
  const filePath = join(packageDir, source.file);
  if (!existsSync(filePath)) {
    const spec = source.install ? `"${source.package}": "${source.install}"` : source.package;
    throw new Error(`${filePath} not found; add ${spec} to devDependencies, run npm install`);
  }
  const reader = READERS[source.reader];
  if (!reader) {
    throw new Error(`unknown reader ${source.reader}; expected one of ${Object.keys(READERS)}`);
  }

  const read = reader(filePath);
  const parsed = parseTl(read.text);
  if (source.extraTl) {
    const extra = parseTl(source.extraTl);
    parsed.constructors.push(...extra.constructors);
    parsed.methods.push(...extra.methods);
  }
  for (const list of [parsed.constructors, parsed.methods]) {
    const duplicates = findDuplicates(list);
    if (duplicates.length > 0) {
      throw new Error(`${filePath} declares ${duplicates.join(', ')} more than once`);
    }
  }

  const layer = resolveLayer(packageDir, source.layer);
  if (read.layer !== undefined && read.layer !== layer) {
    throw new Error(
      `${filePath} states layer ${read.layer}, but the row's layer source gives ${layer}; ` +
        'check which layer the package serves',
    );
  }
  // The package's own name, so a row installed under an npm alias names the real package.
  const { name, version } = readPackageJson(packageDir);
  const data = {
    layer,
    source: `${name}@${version} ${source.file}`,
    constructors: source.service ? rewriteServiceStrings(parsed.constructors) : parsed.constructors,
    methods: source.service ? rewriteServiceStrings(parsed.methods) : parsed.methods,
  };
  const fileName = source.service ? 'mtproto.json' : `api-${layer}.json`;
  return { fileName, data, skipped: read.skipped ?? [] };
}

/**
 * Serializes schema data as JSON with one combinator per line, in source order, so that the
 * output is deterministic and a schema update shows as a readable diff.
 */
export function serializeSchema(data) {
  const list = (items) => items.map((item) => `    ${JSON.stringify(item)}`).join(',\n');
  return [
    '{',
    `  "layer": ${JSON.stringify(data.layer)},`,
    `  "source": ${JSON.stringify(data.source)},`,
    `  "constructors": [\n${list(data.constructors)}\n  ],`,
    `  "methods": [\n${list(data.methods)}\n  ]`,
    '}',
    '',
  ].join('\n');
}

/** Imports every row of SOURCES. Returns the output files as `{ path, text }`. */
export function buildAll(rootDir = ROOT) {
  return SOURCES.map((source) => {
    const { fileName, data } = importSource(source, rootDir);
    return { path: join(OUTPUT_DIR, fileName), text: serializeSchema(data) };
  });
}

function main(argv) {
  const check = argv.includes('--check');
  const rootIndex = argv.indexOf('--root');
  const rootDir = rootIndex === -1 ? ROOT : argv[rootIndex + 1];
  if (rootDir === undefined) {
    console.error('--root needs a folder that contains node_modules');
    return 2;
  }
  const outputs = buildAll(resolve(rootDir));
  const stale = outputs.filter(
    (output) => !existsSync(output.path) || readFileSync(output.path, 'utf8') !== output.text,
  );

  if (check) {
    for (const output of stale) {
      console.error(`${output.path} is out of date; run node scripts/import-schemas.mjs`);
    }
    return stale.length === 0 ? 0 : 1;
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const output of outputs) {
    writeFileSync(output.path, output.text);
    console.log(`${stale.includes(output) ? 'wrote' : 'unchanged'} ${output.path}`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
