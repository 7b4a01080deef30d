/**
 * Runs mtmock in a Docker container from tests, as a testcontainers (11.x) module. mtmock has no
 * published image: build one from an mtmock checkout with `buildMtmockImage`, or with
 * `docker build -t mtmock:local .` after `npm ci && npm run build`.
 *
 *   const image = await buildMtmockImage({ context: '/path/to/mtmock' });
 *   const mock = await new MtmockContainer(image).withFixtures({ accounts: [...] }).start();
 *   const client = createGramJsClient(await mock.getMockTarget());
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { LevelWithSilent } from 'pino';
import {
  AbstractStartedContainer,
  GenericContainer,
  getContainerRuntimeClient,
  ImageName,
  Wait,
  type StartedTestContainer,
} from 'testcontainers';
import { AdminClient, type AdminServerKey } from './admin/admin-client.js';
import type { MockTarget } from './adapters/gramjs.js';
import { loadFixtures, type FixtureSource } from './domain/fixtures.js';

/** Port inside the container that serves every MTProto transport, WebSocket and the admin API. */
export const MTMOCK_CONTAINER_PORT = 4430;

/** Default tag that `buildMtmockImage` builds and `MtmockContainer` runs. */
export const DEFAULT_MTMOCK_IMAGE = 'mtmock:local';

/** Path in the container of the fixture file that `withFixtures` copies in. */
const FIXTURES_TARGET = '/fixtures/testcontainers.json';

/** Matches the line that the server logs once it listens (pino writes JSON without spaces). */
const READY_LINE = /"msg":"ready"/;

/** Log levels that still print the ready line, which the default wait strategy looks for. */
const LEVELS_WITH_READY_LINE: readonly LevelWithSilent[] = ['trace', 'debug', 'info'];

/** Settings of buildMtmockImage. */
export interface BuildMtmockImageOptions {
  /** Folder with mtmock's Dockerfile: a checkout after `npm ci && npm run build`. */
  context: string;
  /** Tag to build. Default `mtmock:local`. */
  tag?: string;
  /**
   * Image with `node` (>= 20) on PATH for both stages. Default: the Dockerfile's
   * `node:20-bookworm-slim`, which needs a registry.
   */
  baseImage?: string;
}

/**
 * Builds mtmock's image with testcontainers and returns its tag. Throws when the build did not
 * produce the image: testcontainers 11.14 resolves `build()` even when the build failed, so the
 * image is checked for the build id that this call passed in.
 */
export async function buildMtmockImage(options: BuildMtmockImageOptions): Promise<string> {
  const tag = options.tag ?? DEFAULT_MTMOCK_IMAGE;
  const context = resolve(options.context);
  const buildId = randomUUID();
  const buildArgs: Record<string, string> = { MTMOCK_BUILD_ID: buildId };
  if (options.baseImage) buildArgs.BASE_IMAGE = options.baseImage;

  await GenericContainer.fromDockerfile(context)
    .withBuildArgs(buildArgs)
    .build(tag, { deleteOnExit: false });

  const client = await getContainerRuntimeClient();
  const imageName = ImageName.fromString(tag);
  const labels = (await client.image.exists(imageName))
    ? (await client.image.inspect(imageName)).Config.Labels
    : undefined;
  if (labels?.['org.mtmock.build-id'] !== buildId) {
    throw new Error(
      `building ${tag} from ${context} failed. Run docker build` +
        `${options.baseImage ? ` --build-arg BASE_IMAGE=${options.baseImage}` : ''} ${context}` +
        ' to see the error; the context needs npm ci and npm run build first.',
    );
  }
  return tag;
}

/**
 * A testcontainers container definition for mtmock. It publishes port 4430 on a free host port
 * and waits for the server's ready line. Call `start()` to get a StartedMtmockContainer.
 */
export class MtmockContainer extends GenericContainer {
  constructor(image: string = DEFAULT_MTMOCK_IMAGE) {
    super(image);
    this.withExposedPorts(MTMOCK_CONTAINER_PORT)
      .withWaitStrategy(Wait.forLogMessage(READY_LINE))
      .withStartupTimeout(30_000);
  }

  /**
   * Serves these fixtures instead of the image's `fixtures/default.json`: a path to a JSON file
   * on this machine, or a fixtures object. They are validated here first, so a mistake throws
   * FixtureError naming the field instead of a container that exits at start.
   */
  withFixtures(fixtures: FixtureSource): this {
    loadFixtures(fixtures);
    if (typeof fixtures === 'string') {
      this.withCopyFilesToContainer([
        { source: resolve(fixtures), target: FIXTURES_TARGET, mode: 0o644 },
      ]);
    } else {
      this.withCopyContentToContainer([
        { content: JSON.stringify(fixtures), target: FIXTURES_TARGET, mode: 0o644 },
      ]);
    }
    return this.withEnvironment({ MTMOCK_FIXTURES: FIXTURES_TARGET });
  }

  /**
   * Sets the server's log level (MTMOCK_LOG_LEVEL). Levels that hide the ready line (warn and
   * quieter) switch the wait to the image's health check, which reports within about a second.
   */
  withLogLevel(level: LevelWithSilent): this {
    this.withEnvironment({ MTMOCK_LOG_LEVEL: level });
    return this.withWaitStrategy(
      LEVELS_WITH_READY_LINE.includes(level)
        ? Wait.forLogMessage(READY_LINE)
        : Wait.forHealthCheck(),
    );
  }

  override async start(): Promise<StartedMtmockContainer> {
    return new StartedMtmockContainer(await super.start());
  }
}

/** A running mtmock container: where clients reach it, its public key and its admin API. */
export class StartedMtmockContainer extends AbstractStartedContainer {
  /** Client for the admin API (mailbox, accounts, reset) on the published port. */
  readonly admin: AdminClient;

  constructor(startedTestContainer: StartedTestContainer) {
    super(startedTestContainer);
    const { host, port } = this.getMockAddress();
    this.admin = AdminClient.at(host, port);
  }

  /** Returns the host and published port on which clients reach MTProto, WebSocket and admin. */
  getMockAddress(): { host: string; port: number } {
    return { host: this.getHost(), port: this.getMappedPort(MTMOCK_CONTAINER_PORT) };
  }

  /** Returns the admin API's base URL, such as `http://localhost:32768/__admin`. */
  getAdminUrl(): string {
    const { host, port } = this.getMockAddress();
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return `http://${hostPart}:${port}/__admin`;
  }

  /** Fetches the server's RSA public key and fingerprints from `GET /__admin/server-key`. */
  getServerKey(): Promise<AdminServerKey> {
    return this.admin.serverKey();
  }

  /** Returns the address and public key in the form the client adapters take. */
  async getMockTarget(): Promise<MockTarget> {
    const [health, serverKey] = await Promise.all([this.admin.health(), this.getServerKey()]);
    return { ...this.getMockAddress(), publicKeyPem: serverKey.pem, dcId: health.dcId };
  }
}
