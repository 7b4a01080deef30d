import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';

/** Settings for e-mailed codes (2FA recovery and recovery-email confirmation). */
export interface EmailCodeSettings {
  /** Digits in a generated code. */
  length: number;
  lifetimeSeconds: number;
  /** Maximum number of wrong codes, each rejected with CODE_INVALID, before FLOOD_WAIT_X. */
  maxAttempts: number;
  floodWaitSeconds: number;
}

/** Settings for login codes from `auth.sendCode`. */
export interface LoginCodeSettings {
  /** Seconds a phone_code_hash stays valid. */
  lifetimeSeconds: number;
}

/** A 2FA recovery email, confirmed or waiting for confirmation. */
export interface FixtureRecoveryEmail {
  address: string;
  confirmed: boolean;
}

/** One account as a fixture file describes it, after validation. */
export interface FixtureAccount {
  id: bigint;
  /** Digits only, without '+'. */
  phone: string;
  firstName: string;
  lastName: string;
  username?: string;
  /** Plaintext 2FA password, or undefined when the account has no 2FA. */
  password?: string;
  hint?: string;
  recoveryEmail?: FixtureRecoveryEmail;
  /** Code that password recovery sends instead of a random one. */
  recoveryCode?: string;
  loginCode?: string;
}

/** A validated fixture file. */
export interface Fixtures {
  emailCode: EmailCodeSettings;
  loginCode: LoginCodeSettings;
  accounts: FixtureAccount[];
}

/** A fixture file path, or fixtures as an already parsed object. */
export type FixtureSource = string | object;

/** One problem in a fixture file: where it is (JSON pointer), what is wrong, and the value. */
export interface FixtureIssue {
  pointer: string;
  message: string;
  value?: unknown;
  /** The schema's description of the field, when it has one. */
  expected?: string;
}

/** Thrown when a fixture file or account is not valid JSON or breaks the schema. */
export class FixtureError extends Error {
  override readonly name = 'FixtureError';

  constructor(
    readonly source: string,
    readonly issues: FixtureIssue[],
    advice = `Fix these fields. ${SCHEMA_FILE} describes every field and its format.`,
  ) {
    super(formatIssues(source, issues, advice));
  }

  /** JSON pointer of the first invalid field, for APIs that report a single field. */
  get field(): string {
    return this.issues[0]?.pointer ?? '';
  }
}

const SCHEMA_FILE = 'fixtures/fixtures.schema.json';
const DEFAULT_FIXTURES_FILE = 'fixtures/default.json';
const MAX_LONG = (1n << 63n) - 1n;
/** Fields whose values never appear in error messages, misspelled ones like "pasword" included. */
const SECRET_FIELD = /^pa?s+w/i;

/**
 * Finds a file that ships with the package by walking up from this module, because the module
 * sits at a different depth when run from source (server/domain) and from dist/server/domain.
 */
function findPackageFile(relativePath: string): string {
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `${relativePath} was not found in ${start} or any parent folder. ` +
          'It ships with mtmock; reinstall the package or restore the file.',
      );
    }
    dir = parent;
  }
}

/** Returns the absolute path of `fixtures/default.json`. */
export function defaultFixturesPath(): string {
  return findPackageFile(DEFAULT_FIXTURES_FILE);
}

interface Validators {
  fixtures: ValidateFunction;
  account: ValidateFunction;
}

let validators: Validators | undefined;

function getValidators(): Validators {
  if (validators) return validators;
  const schemaPath = findPackageFile(SCHEMA_FILE);
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as AnySchemaObject;
  // useDefaults fills in the documented defaults; verbose puts the offending value on each error.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true });
  ajv.addSchema(schema);
  const schemaId = String(schema.$id);
  validators = {
    fixtures: ajv.getSchema(schemaId) as ValidateFunction,
    account: ajv.compile({ $ref: `${schemaId}#/definitions/account` }),
  };
  return validators;
}

/**
 * Reads and validates fixtures from a JSON file path or an already parsed object, by default
 * `fixtures/default.json`. Throws FixtureError listing every invalid field by JSON pointer.
 */
export function loadFixtures(fixtures: FixtureSource = defaultFixturesPath()): Fixtures {
  let source: string;
  let data: unknown;
  if (typeof fixtures === 'string') {
    source = fixtures;
    data = readJsonFile(fixtures);
  } else {
    source = 'fixtures object';
    // The validator writes defaults into the data, so work on a copy of the caller's object.
    data = structuredClone(fixtures);
  }

  const { fixtures: validate } = getValidators();
  if (!validate(data)) throw new FixtureError(source, schemaIssues(validate.errors ?? []));

  const raw = data as { emailCode: EmailCodeSettings; loginCode: LoginCodeSettings };
  const rawAccounts = (data as { accounts: RawAccount[] }).accounts;
  const issues: FixtureIssue[] = [];
  const accounts = rawAccounts.map((account, index) =>
    toFixtureAccount(account, `/accounts/${index}`, issues),
  );
  issues.push(...duplicateIssues(accounts));
  if (issues.length > 0) throw new FixtureError(source, issues);

  return { emailCode: raw.emailCode, loginCode: raw.loginCode, accounts };
}

/**
 * Validates one account against the schema's account definition, for accounts added at run
 * time. Uniqueness against other accounts is the caller's check. Throws FixtureError.
 */
export function parseFixtureAccount(raw: unknown, source = 'account'): FixtureAccount {
  const { account: validate } = getValidators();
  const data = structuredClone(raw);
  if (!validate(data)) throw new FixtureError(source, schemaIssues(validate.errors ?? []));
  const issues: FixtureIssue[] = [];
  const account = toFixtureAccount(data as RawAccount, '', issues);
  if (issues.length > 0) throw new FixtureError(source, issues);
  return account;
}

/** Finds fixture accounts that share an id, phone or username (case-insensitive). */
function duplicateIssues(accounts: readonly FixtureAccount[]): FixtureIssue[] {
  const issues: FixtureIssue[] = [];
  const keys: Array<[field: 'id' | 'phone' | 'username', key: (a: FixtureAccount) => unknown]> = [
    ['id', (a) => a.id],
    ['phone', (a) => a.phone],
    ['username', (a) => a.username?.toLowerCase()],
  ];
  for (const [field, key] of keys) {
    const firstIndex = new Map<unknown, number>();
    accounts.forEach((account, index) => {
      const value = key(account);
      if (value === undefined) return;
      const earlier = firstIndex.get(value);
      if (earlier === undefined) {
        firstIndex.set(value, index);
        return;
      }
      issues.push({
        pointer: `/accounts/${index}/${field}`,
        message: `is already used by /accounts/${earlier}, and ${field}s must be unique`,
        value: field === 'id' ? String(value) : account[field],
      });
    });
  }
  return issues;
}

type RawAccount = Omit<FixtureAccount, 'id'> & { id: number | string };

function toFixtureAccount(
  raw: RawAccount,
  pointer: string,
  issues: FixtureIssue[],
): FixtureAccount {
  const id = BigInt(raw.id);
  if (id > MAX_LONG) {
    issues.push({
      pointer: `${pointer}/id`,
      message: 'is larger than 2^63 - 1, the largest user id TL can carry',
      value: raw.id,
    });
  }
  return { ...raw, id };
}

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FixtureError(
      path,
      [{ pointer: '', message: `cannot be read (${reason})` }],
      'Check the path; relative paths start at the current working directory.',
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FixtureError(
      path,
      [{ pointer: '', message: `is not valid JSON: ${(error as Error).message}` }],
      'Fix the JSON syntax at the position given.',
    );
  }
}

function schemaIssues(errors: ErrorObject[]): FixtureIssue[] {
  // ajv also reports why each branch of a oneOf failed, which only repeats the oneOf error.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
  const relevant = errors.filter(
    (e) => !oneOfPaths.some((path) => e.schemaPath.startsWith(`${path}/`)),
  );
  return relevant.map(schemaIssue);
}

function schemaIssue(error: ErrorObject): FixtureIssue {
  const params = error.params as Record<string, string>;
  switch (error.keyword) {
    case 'required':
      return {
        pointer: childPointer(error.instancePath, params.missingProperty),
        message: 'is required but missing',
      };
    case 'additionalProperties':
      return {
        pointer: childPointer(error.instancePath, params.additionalProperty),
        message: 'is an unknown field (check the spelling)',
        value: (error.data as Record<string, unknown>)[params.additionalProperty],
      };
    case 'dependencies':
      return {
        pointer: childPointer(error.instancePath, params.property),
        message: `needs "${params.missingProperty}" in the same account`,
        value: (error.data as Record<string, unknown>)[params.property],
      };
    default: {
      const description = (error.parentSchema as AnySchemaObject | undefined)?.description;
      const message =
        error.keyword === 'oneOf' ? 'has an invalid type or format' : (error.message ?? 'invalid');
      return { pointer: error.instancePath, message, value: error.data, expected: description };
    }
  }
}

function childPointer(parent: string, property: string): string {
  return `${parent}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function formatIssues(source: string, issues: FixtureIssue[], advice: string): string {
  const lines = issues.map((issue) => {
    const field = issue.pointer.split('/').pop() ?? '';
    let line = `  ${issue.pointer || '(top level)'} ${issue.message}`;
    if (issue.value !== undefined) {
      line += SECRET_FIELD.test(field) ? ' (value hidden)' : ` (value: ${preview(issue.value)})`;
    }
    if (issue.expected) line += `. Expected: ${issue.expected}`;
    return line;
  });
  return `Invalid fixtures in ${source}:\n${lines.join('\n')}\n${advice}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
