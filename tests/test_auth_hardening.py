"""Sign-in hardening (issue 10): the throttle cannot be raced, stale activation codes are
withdrawn, every spelling of an e-mail finds its account, and the hashing queue is bounded."""

import asyncio
import time
import unicodedata
from collections import Counter

import httpx

from app.users.models import Role
from tests.conftest import TEST_PASSWORD, Accounts, ServeApp, sign_in

WRONG_PASSWORD = "definitely not the password 77"
NEW_PASSWORD = "a quiet walk along the river at dawn"
# Composed (NFC), as account creation stores it; the domain is IDNA `xn--exmple-cua.org`.
UNICODE_EMAIL = "josé.añez@exämple.org"
FLOODERS = 40
FLOOD_PAUSE_S = 0.1


async def activate(client: httpx.AsyncClient, email: str, code: str) -> httpx.Response:
    body = {"email": email, "activation_code": code, "password": NEW_PASSWORD}
    return await client.post("/v1/auth/activate", json=body)


async def verified_sign_ins(accounts: Accounts) -> int:
    """Failed sign-ins whose password was checked: each records one audit failure (a
    throttled or refused attempt records none)."""
    actions = await accounts.audit_actions()
    return actions.count(("auth.sign_in", "failure"))


# --- 3. the throttle cannot be raced ---------------------------------------------------


async def test_fifty_concurrent_wrong_passwords_check_at_most_ten(serve_app: ServeApp) -> None:
    # A queue large enough for all 50: only the throttle is under test here.
    async with serve_app(password_hashing_queue_max=100) as served:
        account = await served.accounts.make(Role.participant, signed_in=False)

        answers = await asyncio.gather(
            *(sign_in(served.client, account.email, WRONG_PASSWORD) for _ in range(50))
        )

        statuses = Counter(answer.status_code for answer in answers)
        assert set(statuses) <= {401, 429}, statuses
        assert statuses[401] <= 10, statuses
        assert statuses[429] >= 40, statuses
        assert await verified_sign_ins(served.accounts) == statuses[401]
        for answer in answers:
            if answer.status_code == 429:
                assert int(answer.headers["retry-after"]) >= 1
        # The account stays locked for the right password too.
        assert (await sign_in(served.client, account.email)).status_code == 429


async def test_concurrent_guesses_from_one_address_check_at_most_its_limit(
    serve_app: ServeApp,
) -> None:
    async with serve_app(password_hashing_queue_max=100, login_max_failures_per_address=5) as s:
        answers = await asyncio.gather(
            *(sign_in(s.client, f"guess-{n}@example.org", WRONG_PASSWORD) for n in range(30))
        )

        statuses = Counter(answer.status_code for answer in answers)
        assert set(statuses) <= {401, 429}, statuses
        assert statuses[401] <= 5, statuses
        assert await verified_sign_ins(s.accounts) == statuses[401]


async def test_a_successful_sign_in_takes_its_counted_attempt_back(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)
    await accounts.record_login_failures(account.email, 9)

    for _ in range(3):  # each success releases the attempt it reserved
        assert (await sign_in(client, account.email)).status_code == 200

    assert await accounts.count("login_failures") == 9
    assert (await sign_in(client, account.email, WRONG_PASSWORD)).status_code == 401
    assert (await sign_in(client, account.email)).status_code == 429


# --- 6. stale activation codes ---------------------------------------------------------


async def test_sign_in_with_the_password_withdraws_an_unused_code(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)
    code = await accounts.issue_activation_code(account.id)

    assert (await sign_in(client, account.email)).status_code == 200

    assert (await activate(client, account.email, code)).status_code == 401
    assert (await sign_in(client, account.email)).status_code == 200  # the password stands


async def test_a_failed_sign_in_leaves_the_code_usable(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)
    code = await accounts.issue_activation_code(account.id)

    assert (await sign_in(client, account.email, WRONG_PASSWORD)).status_code == 401

    assert (await activate(client, account.email, code)).status_code == 200


async def test_password_change_withdraws_an_unused_code(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    code = await accounts.issue_activation_code(account.id)

    changed = await client.post(
        "/v1/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        headers=account.headers,
    )

    assert changed.status_code == 204
    assert (await activate(client, account.email, code)).status_code == 401


async def test_deactivation_withdraws_an_unused_code(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    account = await accounts.make(Role.participant, signed_in=False)
    code = await accounts.issue_activation_code(account.id)
    path = f"/v1/admin/users/{account.id}"

    off = await client.patch(path, json={"is_active": False}, headers=admin.headers)
    on = await client.patch(path, json={"is_active": True}, headers=admin.headers)

    assert (off.status_code, on.status_code) == (200, 200)
    assert (await activate(client, account.email, code)).status_code == 401


async def test_reactivation_withdraws_a_code_issued_while_deactivated(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    account = await accounts.make(Role.participant, signed_in=False)
    path = f"/v1/admin/users/{account.id}"
    assert (await client.patch(path, json={"is_active": False}, headers=admin.headers)).is_success
    # A code made while the account was off (the API refuses to; the database does not).
    code = await accounts.issue_activation_code(account.id)

    on = await client.patch(path, json={"is_active": True}, headers=admin.headers)

    assert on.status_code == 200
    assert (await activate(client, account.email, code)).status_code == 401
    events = [action for action, _ in await accounts.audit_actions()]
    assert events[-2:] == ["account.reactivate", "auth.activate"]


# --- 11. one spelling per e-mail -------------------------------------------------------


async def _create_unicode_account(client: httpx.AsyncClient, accounts: Accounts) -> None:
    admin = await accounts.make(Role.admin)
    created = await client.post(
        "/v1/admin/users",
        json={"email": "José.Añez@EXÄMPLE.org", "role": "participant", "display_name": "José"},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["user"]["email"] == UNICODE_EMAIL
    nfd = unicodedata.normalize("NFD", UNICODE_EMAIL)
    activated = await activate(client, nfd, created.json()["activation_code"])
    assert activated.status_code == 200, activated.text


async def test_nfd_and_punycode_spellings_of_an_email_sign_in(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    await _create_unicode_account(client, accounts)
    nfd = unicodedata.normalize("NFD", UNICODE_EMAIL)
    assert nfd != UNICODE_EMAIL

    for spelling in (UNICODE_EMAIL, nfd, "josé.añez@xn--exmple-cua.org", "JOSÉ.AÑEZ@EXÄMPLE.ORG"):
        response = await sign_in(client, spelling, NEW_PASSWORD)
        assert response.status_code == 200, (spelling, response.text)


async def test_every_spelling_of_an_email_shares_one_throttle_bucket(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    await _create_unicode_account(client, accounts)
    spellings = [unicodedata.normalize("NFD", UNICODE_EMAIL), "josé.añez@xn--exmple-cua.org"]

    for number in range(10):
        failed = await sign_in(client, spellings[number % 2], WRONG_PASSWORD)
        assert failed.status_code == 401

    assert (await sign_in(client, UNICODE_EMAIL, NEW_PASSWORD)).status_code == 429


async def test_another_spelling_of_an_existing_email_is_taken(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    await _create_unicode_account(client, accounts)

    for spelling in (unicodedata.normalize("NFD", UNICODE_EMAIL), "JOSÉ.añez@xn--exmple-cua.org"):
        again = await client.post(
            "/v1/admin/users",
            json={"email": spelling, "role": "clinician", "display_name": "Twin"},
            headers=admin.headers,
        )
        assert again.status_code == 409, (spelling, again.text)


# --- 12. the hashing queue is bounded --------------------------------------------------


async def test_a_flood_beyond_the_hashing_queue_gets_503_with_retry_after(
    serve_app: ServeApp,
) -> None:
    async with serve_app(password_hashing_queue_max=2, login_max_failures_per_address=10_000) as s:
        answers = await asyncio.gather(
            *(sign_in(s.client, f"nobody-{n}@example.org", WRONG_PASSWORD) for n in range(40))
        )

        statuses = Counter(answer.status_code for answer in answers)
        assert set(statuses) == {401, 503}, statuses
        for answer in answers:
            if answer.status_code == 503:
                assert answer.headers["content-type"] == "application/problem+json"
                assert int(answer.headers["retry-after"]) >= 1
        # A refused attempt is not counted as a failure, nor hashed, nor audited.
        assert await s.accounts.count("login_failures") == statuses[401]
        assert await verified_sign_ins(s.accounts) == statuses[401]


async def test_a_real_sign_in_completes_during_an_unknown_email_flood(
    serve_app: ServeApp,
) -> None:
    async with serve_app(password_hashing_queue_max=2, login_max_failures_per_address=10_000) as s:
        account = await s.accounts.make(Role.participant, signed_in=False)
        # The flood comes from the fixture's client address; the participant from another.
        transport = httpx.ASGITransport(app=s.app, client=("198.51.100.7", 40000))
        participant = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        stop = asyncio.Event()
        seen: Counter[int] = Counter()

        async def flood(worker: int) -> None:
            number = 0
            while not stop.is_set():
                number += 1
                email = f"nobody-{worker}-{number}@example.org"
                seen[(await sign_in(s.client, email, WRONG_PASSWORD)).status_code] += 1
                # Each flooder waits a little between requests: in process a refusal never
                # waits on a socket, and a tight loop would starve the event loop itself
                # (a cost of any HTTP flood, for a reverse proxy's rate limit to bound).
                await asyncio.sleep(FLOOD_PAUSE_S)

        flooders = [asyncio.create_task(flood(worker)) for worker in range(FLOODERS)]
        try:
            await asyncio.sleep(0.3)  # the flood is under way
            took = []
            async with asyncio.timeout(10), participant:
                for _ in range(5):
                    started = time.monotonic()
                    answer = await sign_in(participant, account.email)
                    took.append(time.monotonic() - started)
                    assert answer.status_code == 200, answer.text
        finally:
            stop.set()
            await asyncio.gather(*flooders)

        assert seen[503] > 0 and set(seen) <= {401, 503}, seen
        # Each waited behind at most the flood's one place in the queue, not the whole flood.
        assert max(took) < 2, took
