import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestJournal, type JournalEntry } from './journal.js';

function entry(overrides: Partial<JournalEntry> = {}): Omit<JournalEntry, 'seq'> {
  return {
    time: 1_000,
    connectionId: 1,
    authKeyId: '00000000000000aa',
    sessionId: '0000000000000001',
    msgId: '1',
    layer: 198,
    method: 'help.getConfig',
    params: {},
    outcome: 'ok',
    result: 'config',
    latencyMs: 1,
    ...overrides,
  };
}

describe('RequestJournal ring buffer', () => {
  it('keeps the newest entries in order', () => {
    const journal = new RequestJournal(3);
    for (let i = 1; i <= 5; i++) journal.record(entry({ msgId: String(i) }));
    expect(journal.all().map((e) => e.msgId)).toEqual(['3', '4', '5']);
    expect(journal.evicted).toBe(2);
    expect(journal.size).toBe(3);
  });

  it('keeps exactly the last capacity entries (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), (size, n) => {
        const journal = new RequestJournal(size);
        for (let i = 0; i < n; i++) journal.record(entry({ msgId: String(i) }));
        const expected = Array.from({ length: n }, (_, i) => String(i)).slice(-size);
        expect(journal.all().map((e) => e.msgId)).toEqual(expected);
      }),
    );
  });

  it('shrinks to the newest entries on resize', () => {
    const journal = new RequestJournal(5);
    for (let i = 1; i <= 5; i++) journal.record(entry({ msgId: String(i) }));
    journal.resize(2);
    expect(journal.all().map((e) => e.msgId)).toEqual(['4', '5']);
    journal.record(entry({ msgId: '6' }));
    expect(journal.all().map((e) => e.msgId)).toEqual(['5', '6']);
    expect(() => journal.resize(0)).toThrow(/at least 1/);
  });
});

describe('RequestJournal filters', () => {
  const journal = new RequestJournal();
  journal.record(entry({ method: 'help.getConfig', time: 100, apiId: 1 }));
  journal.record(
    entry({
      method: 'auth.sendCode',
      time: 200,
      outcome: 'error',
      error: { code: 420, message: 'FLOOD_WAIT_3' },
      params: { phone_number: '15550001' },
      authKeyId: '00000000000000bb',
      apiId: 2,
    }),
  );
  journal.record(
    entry({ method: 'auth.sendCode', time: 300, params: { phone_number: '15550002' } }),
  );

  it('filters by method', () => {
    expect(journal.find({ method: 'auth.sendCode' })).toHaveLength(2);
  });

  it('filters by time range', () => {
    expect(journal.find({ since: 200 }).map((e) => e.time)).toEqual([200, 300]);
    expect(journal.find({ until: 200 }).map((e) => e.time)).toEqual([100]);
  });

  it('filters by outcome and error message', () => {
    expect(journal.count({ outcome: 'error' })).toBe(1);
    expect(journal.count({ outcome: 'ok' })).toBe(2);
    expect(journal.count({ outcome: 'FLOOD_WAIT_3' })).toBe(1);
  });

  it('filters by auth key and apiId', () => {
    expect(journal.count({ authKeyId: '00000000000000BB' })).toBe(1);
    expect(journal.count({ apiId: 1 })).toBe(1);
  });

  it('filters by params', () => {
    expect(journal.count({ params: { phone_number: '15550002' } })).toBe(1);
  });

  it('keeps the newest with a limit', () => {
    expect(journal.find({}, 1).map((e) => e.time)).toEqual([300]);
  });
});

describe('RequestJournal verify', () => {
  const journal = new RequestJournal();
  journal.record(entry({ method: 'auth.sendCode', params: { phone_number: '15550001' } }));
  journal.record(entry({ method: 'help.getConfig' }));

  it('passes on the expected count', () => {
    expect(journal.verify({ method: 'auth.sendCode' }, { count: 1 }).ok).toBe(true);
    expect(journal.verify({ method: 'auth.sendCode' }, {}).ok).toBe(true);
    expect(journal.verify({ method: 'auth.sendCode' }, { atMost: 0 }).ok).toBe(false);
  });

  it('reports a params mismatch as a near miss', () => {
    const result = journal.verify(
      { method: 'auth.sendCode', params: { phone_number: '15550009' } },
      { count: 1 },
    );
    expect(result.ok).toBe(false);
    expect(result.count).toBe(0);
    expect(result.nearMisses).toHaveLength(1);
    expect(result.nearMisses[0].reasons).toEqual(['params']);
    expect(result.nearMisses[0].mismatches).toEqual([
      { field: 'phone_number', expected: '15550009', actual: '15550001' },
    ]);
  });

  it('reports a similar method name as a near miss', () => {
    const result = journal.verify({ method: 'auth.sendcode' }, {});
    expect(result.nearMisses.map((miss) => miss.entry.method)).toEqual(['auth.sendCode']);
    expect(result.nearMisses[0].reasons).toEqual(['method']);
  });

  it('skips unrelated methods', () => {
    const result = journal.verify({ method: 'messages.getHistory' }, {});
    expect(result.nearMisses).toEqual([]);
  });
});
