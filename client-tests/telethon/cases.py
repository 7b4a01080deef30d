"""The Telethon cases that run.py runs against mtmock, one coroutine per case.

Each case gets a CaseContext and returns a dict of details for its outcome line. It raises
CaseFailure, or the client's own exception, when the mock's response differs from the expected one.
"""

import contextlib
import dataclasses
import os
import struct
import time

from telethon import errors, functions, types
from telethon.password import compute_digest
from telethon.tl.alltlobjects import LAYER
from telethon.tl.tlobject import TLRequest

from mtmock_telethon import create_client, latest_email_code


class CaseFailure(Exception):
    """The mock's response differs from what the case expects."""


@dataclasses.dataclass
class CaseContext:
    """Mock address, transport under test and fixture accounts for the cases of one transport."""

    host: str
    port: int
    transport: str
    public_key_pem: str
    # Fixture accounts keyed by role: 'plain' (no 2FA), 'two_factor' (2FA without a recovery
    # email) and 'recoverable' (2FA with a confirmed recovery email).
    accounts: dict


def expect_equal(actual, expected, label):
    """Raise CaseFailure unless ``actual == expected``."""
    if actual != expected:
        raise CaseFailure(f'{label}: expected {expected!r}, got {actual!r}')


async def expect_rpc_error(call, error_class):
    """Await ``call`` and return the RPC error it raises, which must be exactly ``error_class``.

    Telethon 1.25.1 picks the class by the exact error message (SESSION_PASSWORD_NEEDED gives
    SessionPasswordNeededError), so the class shows which message the mock sent. Such an
    exception keeps no copy of that message: its ``message`` and ``code`` are those of the base
    class, for example UNAUTHORIZED and 401.
    """
    try:
        result = await call
    except errors.RPCError as error:
        if type(error) is not error_class:
            raise CaseFailure(
                f'expected {error_class.__name__}, got {type(error).__name__} '
                f'({error.message}, code {error.code})'
            ) from error
        return error
    raise CaseFailure(f'expected {error_class.__name__}, got a result: {result!r}')


def error_detail(error):
    """Describe an RPC error as Telethon surfaced it."""
    return {'class': type(error).__name__, 'code': error.code}


@contextlib.asynccontextmanager
async def connected_client(ctx):
    """Yield a client connected to the mock on a new auth key, and disconnect it afterwards."""
    client = create_client(
        ctx.host, ctx.port, transport=ctx.transport, public_key_pem=ctx.public_key_pem
    )
    await client.connect()
    try:
        yield client
    finally:
        await client.disconnect()


async def wait_for_password(client, account):
    """Sign in with the login code, which leaves the key waiting for the 2FA password."""
    await client.send_code_request(account['phone'])
    await expect_rpc_error(
        client.sign_in(account['phone'], account['loginCode']),
        errors.SessionPasswordNeededError,
    )


async def new_password_settings(client, new_password, hint):
    """Build account.passwordInputSettings for a new password, as Telethon's edit_2fa does.

    The client extends the offered salt1 with 32 random bytes and sends the SRP verifier
    ``g^x mod p`` as new_password_hash.
    """
    password = await client(functions.account.GetPasswordRequest())
    algo = password.new_algo
    algo.salt1 += os.urandom(32)
    return types.account.PasswordInputSettings(
        new_algo=algo, new_password_hash=compute_digest(algo, new_password), hint=hint
    )


async def case_connect(ctx):
    """Connect, fetch the config, and find no user signed in."""
    async with connected_client(ctx) as client:
        config = await client(functions.help.GetConfigRequest())
        expect_equal(type(config).CONSTRUCTOR_ID, 0x330B4067, 'config constructor (layer 144)')
        expect_equal(config.this_dc, 2, 'config.this_dc')
        expect_equal(len(config.dc_options), 1, 'number of dc_options')
        expect_equal(config.dc_options[0].ip_address, ctx.host, 'dc_options[0].ip_address')
        expect_equal(config.dc_options[0].port, ctx.port, 'dc_options[0].port')
        skew = abs(config.date.timestamp() - time.time())
        if skew > 60:
            raise CaseFailure(f'config.date is {skew:.0f} s away from this machine\'s clock')
        expect_equal(await client.get_me(), None, 'get_me() before sign-in')
        expect_equal(await client.is_user_authorized(), False, 'is_user_authorized()')
        return {'layer': LAYER, 'thisDc': config.this_dc, 'port': config.dc_options[0].port}


async def case_sign_in_code(ctx):
    """Sign in to the account without 2FA with its login code."""
    account = ctx.accounts['plain']
    async with connected_client(ctx) as client:
        sent = await client.send_code_request(account['phone'])
        expect_equal(type(sent), types.auth.SentCode, 'auth.sendCode result')
        user = await client.sign_in(account['phone'], account['loginCode'])
        expect_equal(type(user).CONSTRUCTOR_ID, 0x3FF6ECB0, 'user constructor (layer 144)')
        expect_equal(user.id, account['id'], 'signed-in user id')
        expect_equal(user.first_name, account['firstName'], 'first_name')
        expect_equal(user.is_self, True, 'user.is_self')
        me = await client.get_me()
        expect_equal(me.id, account['id'], 'get_me().id')
        return {'userId': user.id, 'phone': user.phone}


async def case_sign_in_password(ctx):
    """Sign in to a 2FA account: login code, then a wrong and the right password."""
    account = ctx.accounts['two_factor']
    async with connected_client(ctx) as client:
        await wait_for_password(client, account)
        await expect_rpc_error(
            client.sign_in(password=account['password'] + '-wrong'),
            errors.PasswordHashInvalidError,
        )
        user = await client.sign_in(password=account['password'])
        expect_equal(user.id, account['id'], 'signed-in user id')
        expect_equal((await client.get_me()).id, account['id'], 'get_me().id')
        return {'userId': user.id}


async def case_password_recovery_na(ctx):
    """Request password recovery for an account without a recovery email."""
    account = ctx.accounts['two_factor']
    async with connected_client(ctx) as client:
        await wait_for_password(client, account)
        error = await expect_rpc_error(
            client(functions.auth.RequestPasswordRecoveryRequest()),
            errors.PasswordRecoveryNaError,
        )
        return error_detail(error)


async def case_code_empty(ctx):
    """Check and use an empty recovery code."""
    account = ctx.accounts['recoverable']
    async with connected_client(ctx) as client:
        await wait_for_password(client, account)
        # A requested code exists, so the errors below come from the empty code alone.
        await client(functions.auth.RequestPasswordRecoveryRequest())
        await expect_rpc_error(
            client(functions.auth.CheckRecoveryPasswordRequest(code='')),
            errors.CodeEmptyError,
        )
        error = await expect_rpc_error(
            client(functions.auth.RecoverPasswordRequest(code='')),
            errors.CodeEmptyError,
        )
        return error_detail(error)


async def case_new_settings_invalid(ctx):
    """Recover with a valid code but unusable new settings; the code stays valid."""
    account = ctx.accounts['recoverable']
    async with connected_client(ctx) as client:
        await wait_for_password(client, account)
        await client(functions.auth.RequestPasswordRecoveryRequest())
        code = latest_email_code(ctx.host, ctx.port, account['recoveryEmail']['address'])
        settings = await new_password_settings(client, 'unused-password', 'unused')
        # A verifier must be 256 bytes, so a 32-byte new_password_hash is invalid.
        settings.new_password_hash = settings.new_password_hash[:32]
        error = await expect_rpc_error(
            client(functions.auth.RecoverPasswordRequest(code=code, new_settings=settings)),
            errors.NewSettingsInvalidError,
        )
        # Settings without a new password cannot recover a password either.
        email_only = types.account.PasswordInputSettings(email='new@example.com')
        await expect_rpc_error(
            client(functions.auth.RecoverPasswordRequest(code=code, new_settings=email_only)),
            errors.NewSettingsInvalidError,
        )
        still_valid = await client(functions.auth.CheckRecoveryPasswordRequest(code=code))
        expect_equal(still_valid, True, 'auth.checkRecoveryPassword after the rejected settings')
        return error_detail(error)


async def case_password_recovery(ctx):
    """Recover the password by email code, then sign in on a new key with the new password."""
    account = ctx.accounts['recoverable']
    new_password = f'recovered-over-{ctx.transport}'
    new_hint = f'recovered over {ctx.transport}'
    address = account['recoveryEmail']['address']
    async with connected_client(ctx) as client:
        await wait_for_password(client, account)
        recovery = await client(functions.auth.RequestPasswordRecoveryRequest())
        pattern = recovery.email_pattern
        if '@' not in pattern or '*' not in pattern or pattern == address:
            raise CaseFailure(f'email_pattern {pattern!r} is not a masked form of {address!r}')
        code = latest_email_code(ctx.host, ctx.port, address)
        if not code:
            raise CaseFailure(f'no recovery email to {address} in the mock\'s mailbox')
        checked = await client(functions.auth.CheckRecoveryPasswordRequest(code=code))
        expect_equal(checked, True, 'auth.checkRecoveryPassword')

        settings = await new_password_settings(client, new_password, new_hint)
        authorization = await client(
            functions.auth.RecoverPasswordRequest(code=code, new_settings=settings)
        )
        expect_equal(
            type(authorization).CONSTRUCTOR_ID, 0x33FB7BB8, 'auth.authorization (layer 144)'
        )
        expect_equal(authorization.user.id, account['id'], 'recovered user id')
        expect_equal((await client.get_me()).id, account['id'], 'get_me() after recovery')

    async with connected_client(ctx) as client:
        await wait_for_password(client, account)
        password = await client(functions.account.GetPasswordRequest())
        expect_equal(type(password).CONSTRUCTOR_ID, 0x185B184F, 'account.password (layer 144)')
        expect_equal(password.hint, new_hint, 'hint after recovery')
        await expect_rpc_error(
            client.sign_in(password=account['password']),
            errors.PasswordHashInvalidError,
        )
        user = await client.sign_in(password=new_password)
        expect_equal(user.id, account['id'], 'user id after sign-in with the new password')
        return {'userId': user.id, 'emailPattern': pattern, 'codeLength': len(code)}


class UnknownMethodRequest(TLRequest):
    """A call whose constructor id is in no TL layer."""

    CONSTRUCTOR_ID = 0x0BADC0DE
    SUBCLASS_OF_ID = 0

    def to_dict(self):
        return {'_': 'UnknownMethodRequest'}

    def _bytes(self):
        return struct.pack('<I', self.CONSTRUCTOR_ID)


class GetUsersWithUnknownInputUser(TLRequest):
    """users.getUsers whose one InputUser has a constructor id that no TL layer defines.

    Written by hand, because Telethon's GetUsersRequest resolves each id to a known InputUser
    before it sends anything.
    """

    CONSTRUCTOR_ID = 0x0D91A548
    SUBCLASS_OF_ID = 0x406DA4D
    VECTOR_ID = 0x1CB5C415
    UNKNOWN_INPUT_USER_ID = 0x0BADF00D

    def to_dict(self):
        return {'_': 'GetUsersWithUnknownInputUser'}

    def _bytes(self):
        return struct.pack(
            '<IIiI', self.CONSTRUCTOR_ID, self.VECTOR_ID, 1, self.UNKNOWN_INPUT_USER_ID
        )


async def case_unknown_method(ctx):
    """Call a method id that no layer defines."""
    async with connected_client(ctx) as client:
        error = await expect_rpc_error(
            client(UnknownMethodRequest()), errors.InputMethodInvalidError
        )
        return error_detail(error)


async def case_unknown_constructor(ctx):
    """Pass a constructor id that no layer defines inside a known method."""
    async with connected_client(ctx) as client:
        error = await expect_rpc_error(
            client(GetUsersWithUnknownInputUser()),
            errors.InputConstructorInvalidError,
        )
        return error_detail(error)


# Case name -> coroutine, in the order run.py runs them. password-recovery comes last because it
# changes the recoverable account's password. run.py resets the mock before each transport.
CASES = {
    'connect': case_connect,
    'sign-in-code': case_sign_in_code,
    'sign-in-password': case_sign_in_password,
    'password-recovery-na': case_password_recovery_na,
    'code-empty': case_code_empty,
    'new-settings-invalid': case_new_settings_invalid,
    'unknown-method': case_unknown_method,
    'unknown-constructor': case_unknown_constructor,
    'password-recovery': case_password_recovery,
}
