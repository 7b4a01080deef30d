/**
 * JSON shapes of the control endpoints, as the typed admin client sends and receives them. They
 * are the control plane's own types, so the client and the server cannot drift apart. TL values
 * use the JSON forms of the admin API: long as a decimal string, bytes as "hex:…" or "base64:…",
 * objects as `{"_": "constructor", …}`.
 */
import type { ClockState } from '../control/controllable-clock.js';
import type { Fault, FaultInput, FaultType } from '../control/faults.js';
import type {
  CountExpectation,
  JournalEntry,
  NearMiss,
  RequestPattern,
  VerifyResult,
} from '../control/journal.js';
import type { ScenarioState } from '../control/scenarios.js';
import type { RpcErrorSpec, Stub, StubInput } from '../control/stubs.js';

export type AdminRpcError = RpcErrorSpec;
export type AdminStubInput = StubInput;
export type AdminStub = Stub;
export type AdminFaultType = FaultType;
export type AdminFaultInput = FaultInput;
export type AdminFault = Fault;
export type AdminRequestPattern = RequestPattern;

/** A journal entry; over JSON its parameters are always an object. */
export type AdminJournalEntry = Omit<JournalEntry, 'params'> & { params: Record<string, unknown> };

export type AdminCountExpectation = CountExpectation;
export type AdminNearMiss = Omit<NearMiss, 'entry'> & { entry: AdminJournalEntry };
export type AdminVerifyResult = Omit<VerifyResult, 'nearMisses'> & { nearMisses: AdminNearMiss[] };
export type AdminScenario = ScenarioState;
export type AdminClockState = ClockState;
