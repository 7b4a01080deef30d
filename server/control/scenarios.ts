/** The state every scenario starts in, as in WireMock. */
export const STARTED = 'Started';

/** One scenario's state as the admin API lists it. */
export interface ScenarioState {
  name: string;
  /** The api_id namespace the scenario belongs to, or undefined for the shared one. */
  apiId?: number;
  state: string;
}

/**
 * Named scenario states. A scenario exists once a stub names it or a test sets its state, and
 * is in `Started` until a matching stub moves it. Scenarios of different api_id namespaces are
 * separate, so two suites may use the same scenario name.
 */
export class ScenarioStates {
  private readonly states = new Map<string, ScenarioState>();

  /** Registers a scenario in its start state, unless it already exists. */
  declare(name: string, apiId: number | undefined): void {
    const key = keyOf(name, apiId);
    if (!this.states.has(key)) this.states.set(key, { name, apiId, state: STARTED });
  }

  get(name: string, apiId: number | undefined): string {
    return this.states.get(keyOf(name, apiId))?.state ?? STARTED;
  }

  set(name: string, apiId: number | undefined, state: string): void {
    this.states.set(keyOf(name, apiId), { name, apiId, state });
  }

  list(apiId?: number): ScenarioState[] {
    const all = [...this.states.values()].map((entry) => ({ ...entry }));
    return apiId === undefined ? all : all.filter((entry) => entry.apiId === apiId);
  }

  /** Returns every scenario, or those of one namespace, to `Started`. */
  reset(apiId?: number): void {
    for (const entry of this.states.values()) {
      if (apiId === undefined || entry.apiId === apiId) entry.state = STARTED;
    }
  }

  /** Forgets the scenarios of one namespace, or all of them. */
  clear(apiId?: number): void {
    for (const [key, entry] of this.states) {
      if (apiId === undefined || entry.apiId === apiId) this.states.delete(key);
    }
  }
}

function keyOf(name: string, apiId: number | undefined): string {
  return `${apiId ?? ''}/${name}`;
}
