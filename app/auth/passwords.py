"""Password hashing (Argon2id, off the event loop) and the NIST SP 800-63B-4 password policy."""

import os
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

import anyio.to_thread
from anyio.lowlevel import RunVar
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from zxcvbn import zxcvbn

from app.errors import InvalidInput

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 1024
# zxcvbn refuses longer inputs; its estimate of the first 72 characters is what we judge,
# while the whole password is hashed.
STRENGTH_SAMPLE_LENGTH = 72
MIN_STRENGTH_SCORE = 3

_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the account is unknown, so that timing does not reveal it.
_DUMMY_HASH = _hasher.hash("dummy password used to equalise timing")


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# At most one Argon2 computation per CPU at a time. More threads than cores add no
# throughput; they only take the CPU from the event loop. Measured on 2 cores, 8 concurrent
# sign-ins: a concurrent `GET /v1/me` took 0.7-1.5 s unbounded, 0.05-0.3 s with 2 slots.
_HASHING_SLOTS = _cpu_count()
T = TypeVar("T")
_hashing_limiter: RunVar[anyio.CapacityLimiter] = RunVar("argon2_hashing_limiter")


async def _run_hashing(function: Callable[..., T], *args: str) -> T:
    try:
        limiter = _hashing_limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(_HASHING_SLOTS)
        _hashing_limiter.set(limiter)
    return await anyio.to_thread.run_sync(function, *args, limiter=limiter)


def normalize_password(password: str) -> str:
    """NFKC, as SP 800-63B advises, so that the same passphrase typed on two keyboards matches."""
    return unicodedata.normalize("NFKC", password)


async def hash_password(password: str) -> str:
    return await _run_hashing(_hasher.hash, normalize_password(password))


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, still spend the time of one verification."""
    candidate = normalize_password(password)
    if password_hash is None:
        await _run_hashing(_hasher.verify, candidate, _DUMMY_HASH)
        return False
    return await _run_hashing(_hasher.verify, candidate, password_hash)


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
