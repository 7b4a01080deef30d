"""Aim Telethon at mtmock, the Telegram-compatible MTProto server for tests.

Telethon ships only Telegram's RSA keys and DC addresses, so a client needs the mock's public
key in Telethon's key table and a session whose DC address is the mock's. This module does both
and picks the transport::

    from mtmock_telethon import create_client
    client = create_client('127.0.0.1', port, transport='abridged')
    await client.connect()

Written for Telethon 1.25.1 (Debian bookworm's python3-telethon, API layer 144). The mock
serves layer 144 from its layer-143 schema, which matches Telethon 1.25.1 for login and 2FA.
They differ in userFull, stickerSet, messages.featuredStickers and payments.paymentForm.
"""

import json
import urllib.parse
import urllib.request

import rsa as rsa_module
from telethon import TelegramClient
from telethon.crypto import rsa
from telethon.network.connection import (
    ConnectionTcpAbridged,
    ConnectionTcpFull,
    ConnectionTcpIntermediate,
    ConnectionTcpObfuscated,
)
from telethon.sessions import MemorySession

# Telethon's connection class for each transport name the mock's tests use.
TRANSPORTS = {
    'full': ConnectionTcpFull,
    'abridged': ConnectionTcpAbridged,
    'intermediate': ConnectionTcpIntermediate,
    'obfuscated': ConnectionTcpObfuscated,
}

# The mock accepts any api_id and api_hash, but Telethon rejects empty ones.
DEFAULT_API_ID = 1
DEFAULT_API_HASH = 'mtmock'

# Client settings that make a failure show at once: no endless retries or reconnects, and no
# silent sleeping on FLOOD_WAIT. retry_delay is in seconds.
TEST_CLIENT_OPTIONS = {
    # Two attempts, because about 1 handshake in 256 fails: when g^ab starts with a zero byte,
    # Telethon drops it from the auth key, so its new_nonce_hash check fails.
    'connection_retries': 2,
    'retry_delay': 0,
    'request_retries': 1,
    'raise_last_call_error': True,
    'auto_reconnect': False,
    'flood_sleep_threshold': 0,
    'receive_updates': False,
}

# The admin API is on the mock's own port. The opener ignores *_proxy variables, so requests
# to the mock never go through a proxy.
_direct_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _admin_url(host, port, path):
    # An IPv6 literal needs brackets in a URL.
    url_host = f'[{host}]' if ':' in host else host
    return f'http://{url_host}:{port}/__admin{path}'


def admin_request(host, port, method, path, timeout=5.0):
    """Send a request to the mock's admin API and return the decoded JSON response.

    ``path`` starts after ``/__admin``, for example ``/server-key``. Raises
    ``urllib.error.HTTPError`` for an error status.
    """
    request = urllib.request.Request(_admin_url(host, port, path), method=method)
    with _direct_opener.open(request, timeout=timeout) as response:
        return json.load(response)


def fetch_server_key(host, port, timeout=5.0):
    """Fetch the mock's RSA public key as a PKCS#1 PEM from ``GET /__admin/server-key``."""
    return admin_request(host, port, 'GET', '/server-key', timeout)['pem']


def latest_email_code(host, port, address, timeout=5.0):
    """Return the code of the newest email the mock sent to ``address``, or None.

    The mock sends no real email. It stores recovery and confirmation codes in a mailbox that
    ``GET /__admin/mailbox?to=ADDRESS`` lists, oldest first.
    """
    path = '/mailbox?to=' + urllib.parse.quote(address)
    messages = admin_request(host, port, 'GET', path, timeout)['messages']
    return messages[-1]['code'] if messages else None


def reset_mock(host, port, timeout=5.0):
    """Return the mock's accounts, passwords and codes to its fixtures, and drop every auth key."""
    admin_request(host, port, 'POST', '/reset', timeout)


def register_server_key(pem):
    """Add the mock's public key to Telethon's key table and return its fingerprint.

    The fingerprint is the signed 64-bit integer Telethon looks keys up by. ``pem`` must be a
    PKCS#1 ``BEGIN RSA PUBLIC KEY`` block, because Telethon reads keys with
    ``rsa.PublicKey.load_pkcs1``. Registering the same key again is harmless.
    """
    # old=False puts the key in Telethon's first lookup pass. Either way Telethon 1.25.1
    # encrypts p_q_inner_data with the old scheme: sha1(data) + data + padding, raw RSA.
    rsa.add_key(pem, old=False)
    return rsa._compute_fingerprint(rsa_module.PublicKey.load_pkcs1(pem))


def connection_class(transport):
    """Return Telethon's connection class for 'full', 'abridged', 'intermediate' or 'obfuscated'."""
    try:
        return TRANSPORTS[transport]
    except KeyError:
        raise ValueError(
            f'unknown transport {transport!r}; expected one of {", ".join(TRANSPORTS)}'
        ) from None


def create_client(
    host,
    port,
    *,
    transport='full',
    public_key_pem=None,
    session=None,
    dc_id=2,
    api_id=DEFAULT_API_ID,
    api_hash=DEFAULT_API_HASH,
    **client_options,
):
    """Create a TelegramClient that connects to the mock at host:port.

    Registers the mock's key (``public_key_pem``, or fetched from the admin API when None),
    points ``session`` (a new MemorySession when None) at DC ``dc_id`` on host:port and picks
    the transport's connection class. ``client_options`` go to TelegramClient and override
    TEST_CLIENT_OPTIONS. The client is not connected yet.
    """
    register_server_key(public_key_pem or fetch_server_key(host, port))
    if session is None:
        session = MemorySession()
    session.set_dc(dc_id, host, port)
    options = {
        **TEST_CLIENT_OPTIONS,
        'connection': connection_class(transport),
        # TelegramClient moves a session whose address family differs from use_ipv6 back to
        # Telegram's own DC 2, so the flag must follow the host.
        'use_ipv6': ':' in host,
        **client_options,
    }
    return TelegramClient(session, api_id, api_hash, **options)
