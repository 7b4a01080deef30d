"""Connects Telethon to mtmock and calls help.getNearestDc once.

Usage: bad_salt.py HOST PORT PEM_FILE API_ID
Prints one JSON line: {"this_dc": ..., "country": ...}. The test adds a bad-server-salt fault
first, so Telethon has to follow bad_server_salt before it gets the result.
"""

import asyncio
import json
import sys

from telethon import TelegramClient, functions
from telethon.crypto import rsa as telethon_rsa
from telethon.sessions import StringSession


async def main() -> None:
    host, port, pem_file, api_id = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    with open(pem_file, "rb") as pem:
        # Telethon 1.25.1 parses the PKCS#1 PEM itself.
        telethon_rsa.add_key(pem.read(), old=False)

    session = StringSession()
    session.set_dc(2, host, port)
    client = TelegramClient(session, api_id, "mtmock", connection_retries=2, retry_delay=0)
    await client.connect()
    try:
        nearest = await client(functions.help.GetNearestDcRequest())
        print(json.dumps({"this_dc": nearest.this_dc, "country": nearest.country}))
    finally:
        await client.disconnect()


asyncio.run(main())
