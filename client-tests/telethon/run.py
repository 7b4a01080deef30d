"""Run Telethon 1.25.1 against a running mtmock and print one JSON line per case.

Usage: /usr/bin/python3 client-tests/telethon/run.py --host HOST --port PORT

Each line is {"transport", "case", "outcome": "passed" | "failed", "detail" | "error"}. The exit
status is 1 when any case failed. The mock is reset to its fixtures before each transport, so
run this only against a mock that no other test uses at the same time.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The helper is shipped in adapters/python, not installed, so put it on the path.
sys.path.insert(0, os.path.join(REPO, 'adapters', 'python'))

from cases import CASES, CaseContext  # noqa: E402
from mtmock_telethon import TRANSPORTS, fetch_server_key, reset_mock  # noqa: E402

# Seconds one case may take before it counts as failed. Telethon 1.25.1 has no per-request
# timeout, so a request that gets no response would otherwise block the run forever.
CASE_TIMEOUT = 60


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1', help='address of the mock')
    parser.add_argument('--port', type=int, required=True, help='TCP port of the mock')
    parser.add_argument(
        '--fixtures',
        default=os.path.join(REPO, 'fixtures', 'default.json'),
        help='fixture file the mock was started with (default: fixtures/default.json)',
    )
    parser.add_argument(
        '--transport',
        action='append',
        choices=sorted(TRANSPORTS),
        help='transport to run; repeat for several (default: all four)',
    )
    parser.add_argument(
        '--case', action='append', choices=list(CASES), help='case to run; repeat for several'
    )
    return parser.parse_args()


def fixture_accounts(path):
    """Pick the accounts the cases need from a fixture file, by what each account has."""
    with open(path, encoding='utf-8') as file:
        accounts = json.load(file)['accounts']
    roles = {
        'plain': lambda a: 'password' not in a,
        'two_factor': lambda a: 'password' in a and 'recoveryEmail' not in a,
        'recoverable': lambda a: 'password' in a
        and a.get('recoveryEmail', {}).get('confirmed') is True,
    }
    picked = {}
    for role, matches in roles.items():
        account = next((a for a in accounts if matches(a)), None)
        if account is None:
            raise SystemExit(f'{path} has no {role.replace("_", "-")} account; add one')
        # The mock's login code is the account's loginCode, or the phone's last 5 digits.
        picked[role] = {**account, 'loginCode': account.get('loginCode', account['phone'][-5:])}
    return picked


def print_outcome(transport, case, outcome, **fields):
    line = {'transport': transport, 'case': case, 'outcome': outcome, **fields}
    print(json.dumps(line, default=str), flush=True)


async def run_case(ctx, name):
    """Run one case and print its outcome line. Returns True when it passed."""
    started = time.monotonic()
    try:
        detail = await asyncio.wait_for(CASES[name](ctx), CASE_TIMEOUT)
    except Exception as error:  # Every failure, whatever its type, becomes an outcome line.
        if isinstance(error, asyncio.TimeoutError):
            message = f'no result within {CASE_TIMEOUT} s'
        else:
            message = f'{type(error).__name__}: {error}'
        traceback.print_exc(file=sys.stderr)
        print_outcome(ctx.transport, name, 'failed', error=message)
        return False
    seconds = round(time.monotonic() - started, 3)
    print_outcome(ctx.transport, name, 'passed', detail=detail, seconds=seconds)
    return True


async def main():
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    accounts = fixture_accounts(args.fixtures)
    public_key_pem = fetch_server_key(args.host, args.port)
    transports = args.transport or list(TRANSPORTS)
    cases = args.case or list(CASES)

    all_passed = True
    for transport in transports:
        reset_mock(args.host, args.port)
        ctx = CaseContext(args.host, args.port, transport, public_key_pem, accounts)
        for name in cases:
            all_passed = await run_case(ctx, name) and all_passed
    return 0 if all_passed else 1


if __name__ == '__main__':
    sys.exit(asyncio.run(main()))
