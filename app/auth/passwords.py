"""Password hashing (Argon2id, off the event loop) and the NIST SP 800-63B-4 password policy."""

import asyncio
import contextlib
import os
import threading
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar, TypeVar

import anyio.to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from zxcvbn import zxcvbn

from app.errors import InvalidInput, ServiceUnavailable

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 1024
# zxcvbn refuses longer inputs; its estimate of the first 72 characters is what we judge,
# while the whole password is hashed.
STRENGTH_SAMPLE_LENGTH = 72
MIN_STRENGTH_SCORE = 3

# OWASP's Argon2id baseline (19 MiB, 2 passes, 1 lane): ~17 ms of one core here. pwdlib's
# default (64 MiB, 3 passes, 4 lanes) cost ~220 ms of CPU on 4 threads, which took both
# cores from the event loop: entry POST p99 was 6x worse while 5 sign-ins/s ran. Hashes made
# with other parameters still verify, and are replaced at the next sign-in.
_hasher = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),))
# Verified against when the account is unknown, so that timing does not reveal it.
_DUMMY_HASH = _hasher.hash("dummy password used to equalise timing")


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


HASHING_NICENESS = 10


def _lower_thread_priority() -> None:
    # Linux applies nice values per thread: requests on the event loop come first.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


# Hashing threads of their own: all cores but one, so that Argon2 never takes the event
# loop's core, at a lower priority. More threads than cores add no throughput; measured on
# 2 cores, 8 concurrent sign-ins: a concurrent `GET /v1/me` took 0.7-1.5 s on an unbounded
# pool, 0.05-0.3 s with 2 threads.
_hashing_threads = ThreadPoolExecutor(
    max_workers=max(1, _cpu_count() - 1),
    thread_name_prefix="argon2",
    initializer=_lower_thread_priority,
)
T = TypeVar("T")


async def _run_hashing(function: Callable[..., T], *args: str) -> T:
    return await asyncio.get_running_loop().run_in_executor(_hashing_threads, function, *args)


class HashingBusy(ServiceUnavailable):
    code = "hashing-busy"
    example = "Too many sign-ins are being checked at once; try again in a moment."

    def __init__(self) -> None:
        super().__init__("Too many sign-ins are being checked at once; try again in a moment.")
        self.headers["Retry-After"] = "1"


class _Admission:
    """Requests of this process holding a place in the hashing queue, in all and per client
    address (one event loop: checking and taking a place has no `await` between them, so
    needs no lock)."""

    in_flight = 0
    by_address: ClassVar[dict[str, int]] = {}


def _per_address_limit(limit: int) -> int:
    return max(1, limit // 2)


@contextlib.asynccontextmanager
async def hashing_slot(limit: int, address: str) -> AsyncIterator[None]:
    """A place in the bounded queue of Argon2 work, for one request's hashing; `HashingBusy`
    (503 with `Retry-After`) when `limit` requests already hold one, or when this client
    address holds half of them.

    Taken before anything else (before the account is looked up or the attempt counted), so
    that a refusal costs nothing, does not count as a failed sign-in, and is the same for a
    known and an unknown e-mail (no way to tell them apart under load). Without a bound, a
    flood of sign-ins for unknown e-mails queued dummy verifications ahead of real ones:
    real sign-ins went from 39 to 620 ms. The per-address half keeps one flooding address
    from holding every place; a flood from many addresses still gets `503`s (and its
    failures count towards each address's sign-in limit)."""
    held = _Admission.by_address.get(address, 0)
    if _Admission.in_flight >= limit or held >= _per_address_limit(limit):
        raise HashingBusy()
    _Admission.in_flight += 1
    _Admission.by_address[address] = held + 1
    try:
        yield
    finally:
        _Admission.in_flight -= 1
        remaining = _Admission.by_address[address] - 1
        if remaining:
            _Admission.by_address[address] = remaining
        else:
            del _Admission.by_address[address]


def normalize_password(password: str) -> str:
    """NFKC, as SP 800-63B advises, so that the same passphrase typed on two keyboards matches."""
    return unicodedata.normalize("NFKC", password)


async def hash_password(password: str) -> str:
    return await _run_hashing(_hasher.hash, normalize_password(password))


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, still spend the time of one verification."""
    valid, _ = await verify_and_update_password(password, password_hash)
    return valid


async def verify_and_update_password(
    password: str, password_hash: str | None
) -> tuple[bool, str | None]:
    """Check a password, and when it is right but hashed with older parameters, return a
    new hash of it to store. With no hash, still spend the time of one verification."""
    candidate = normalize_password(password)
    if password_hash is None:
        await _run_hashing(_hasher.verify, candidate, _DUMMY_HASH)
        return False, None
    return await _run_hashing(_hasher.verify_and_update, candidate, password_hash)


def _strength_problem(password: str, user_inputs: list[str]) -> str | None:
    result = zxcvbn(password[:STRENGTH_SAMPLE_LENGTH], user_inputs=user_inputs)
    if result["score"] >= MIN_STRENGTH_SCORE:
        return None
    feedback = result["feedback"]
    reason = feedback.get("warning") or "This password is too easy to guess."
    suggestions = " ".join(feedback.get("suggestions") or [])
    return f"{reason} {suggestions}".strip()


async def check_password_policy(password: str, field: str, user_inputs: Iterable[str]) -> None:
    """Refuse short, over-long, common, repetitive and sequential passwords (422)."""
    candidate = normalize_password(password)
    if len(candidate) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            field, f"Use at least {MIN_PASSWORD_LENGTH} characters.", "password-too-short"
        )
    if len(candidate) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            field, f"Use at most {MAX_PASSWORD_LENGTH} characters.", "password-too-long"
        )
    inputs = [value for value in user_inputs if value]
    problem = await anyio.to_thread.run_sync(_strength_problem, candidate, inputs)
    if problem is not None:
        raise InvalidInput(field, problem, "password-too-weak")
