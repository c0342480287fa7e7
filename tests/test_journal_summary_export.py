"""Summary figures, the export round trip, my clinician, the access log and erasure."""

import csv
import io
import json
import statistics
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from app.journal.models import RATING_COLUMNS
from tests.conftest import TEST_PASSWORD, Account, Accounts
from tests.helpers import post_entry

OFFSETS = ["+09:00", "-07:00", "+00:00", "+05:30", "-03:00"]


async def write_fortnight(client: httpx.AsyncClient, sam: Account) -> list[dict[str, Any]]:
    """Entries around midnight in several offsets, so UTC days and local days differ."""
    entries = []
    for i in range(30):
        day = date(2026, 11, 1) + timedelta(days=i % 14)
        hour = [0, 23, 12][i % 3]
        recorded = f"{day.isoformat()}T{hour:02d}:15:00{OFFSETS[i % len(OFFSETS)]}"
        body = await post_entry(
            client,
            sam,
            recorded_at=recorded,
            mood=i % 11,
            focus=(i * 3) % 11,
            anxiety=(i * 7) % 11,
            creativity=None if i % 4 == 0 else i % 6,
            connection=None if i % 2 == 0 else 10 - i % 11,
            note=f'note {i}, with "quotes" and a\nnewline' if i % 5 == 0 else None,
            tags=["t" + str(i % 3)],
        )
        assert body.status_code == 201
        entries.append(body.json())
    return entries


def expected_stats(entries: list[dict[str, Any]], name: str) -> dict[str, Any]:
    values = [e[name] for e in entries if e[name] is not None]
    if not values:
        return {"count": 0, "mean": None, "min": None, "max": None}
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), 2),
        "min": min(values),
        "max": max(values),
    }


async def test_summary_equals_figures_computed_from_the_entries(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    entries = await write_fortnight(client, sam)
    deleted = entries.pop()
    await client.delete(f"/v1/me/entries/{deleted['id']}", headers=sam.headers)
    window = [e for e in entries if "2026-11-03" <= e["local_date"] <= "2026-11-10"]
    response = await client.get(
        "/v1/me/summary", params={"from": "2026-11-03", "to": "2026-11-10"}, headers=sam.headers
    )
    assert response.status_code == 200
    summary = response.json()
    assert summary["entries"] == len(window)
    for name in RATING_COLUMNS:
        assert summary[name] == expected_stats(window, name), name
    days = sorted({e["local_date"] for e in window})
    assert [point["period_start"] for point in summary["series"]] == days
    for point in summary["series"]:
        day_entries = [e for e in window if e["local_date"] == point["period_start"]]
        assert point["entries"] == len(day_entries)
        for name in RATING_COLUMNS:
            assert point[name] == expected_stats(day_entries, name)["mean"]


async def test_summary_uses_the_participants_own_day_not_utc(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    # 23:30 in New York on the 5th is already the 6th in UTC.
    await post_entry(client, sam, recorded_at="2026-11-05T23:30:00-05:00", mood=10)
    summary = (
        await client.get(
            "/v1/me/summary", params={"from": "2026-11-05", "to": "2026-11-05"}, headers=sam.headers
        )
    ).json()
    assert summary["entries"] == 1 and summary["series"][0]["period_start"] == "2026-11-05"


async def test_summary_rejects_reversed_range(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    response = await client.get(
        "/v1/me/summary", params={"from": "2026-11-10", "to": "2026-11-01"}, headers=sam.headers
    )
    assert response.status_code == 422


async def all_entries(client: httpx.AsyncClient, who: Account) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/me/entries", params=params, headers=who.headers)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return sorted(items, key=lambda e: (e["recorded_at"], e["id"]))


async def test_json_export_round_trips_the_stored_entries(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    await write_fortnight(client, sam)
    response = await client.get("/v1/me/export", params={"format": "json"}, headers=sam.headers)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    document = json.loads(response.content)
    assert document["profile"]["id"] == str(sam.id)
    assert document["entries"] == await all_entries(client, sam)
    assert document["assignments"] == [] and document["access_log"] == []


async def test_csv_export_has_a_header_and_one_row_per_entry(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    await write_fortnight(client, sam)
    response = await client.get("/v1/me/export", params={"format": "csv"}, headers=sam.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    stored = await all_entries(client, sam)
    assert len(rows) == len(stored)
    for row, entry in zip(rows, stored, strict=True):
        parsed = {
            key: (None if value == "" else value) for key, value in row.items() if key != "tags"
        }
        for key in (*RATING_COLUMNS, "version", "utc_offset_minutes"):
            text = parsed[key]
            parsed[key] = None if text is None else int(text)
        parsed["tags"] = row["tags"].split(";") if row["tags"] else []
        parsed["note_shared"] = {"true": True, "false": False}[row["note_shared"]]
        assert parsed == entry


async def test_export_with_unknown_format_is_422(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    response = await client.get("/v1/me/export", params={"format": "xml"}, headers=sam.headers)
    assert response.status_code == 422


async def test_export_is_audited(client: httpx.AsyncClient, accounts: Accounts) -> None:
    sam = await accounts.make()
    await client.get("/v1/me/export", headers=sam.headers)
    rows = await accounts.sql(
        "SELECT count(*) FROM audit_events WHERE action = 'journal.export' AND outcome='success'"
    )
    assert rows == [(1,)]


async def test_erasure_removes_content_and_profile_and_is_idempotent(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make(display_name="Sam Example")
    alex = await accounts.make()
    await write_fortnight(client, sam)
    await post_entry(client, alex)
    first = await client.delete("/v1/me", headers=sam.headers)
    again = await client.delete("/v1/me", headers=sam.headers)
    assert first.status_code == again.status_code == 204
    assert (await client.get("/v1/me", headers=sam.headers)).status_code == 401
    rows = await accounts.sql("SELECT email, display_name, password_hash, is_active FROM users")
    assert not any(row[0] == sam.email or row[1] == "Sam Example" for row in rows)
    remaining = await accounts.sql("SELECT count(*) FROM journal_entries")
    assert remaining == [(1,)]  # only alex's entry
    erase_events = await accounts.sql(
        "SELECT count(*) FROM audit_events WHERE action = 'account.erase'"
    )
    assert erase_events == [(1,)]
    signin = await client.post(
        "/v1/auth/token",
        data={"username": sam.email, "password": TEST_PASSWORD},
    )
    assert signin.status_code == 401


async def test_my_clinician_is_null_without_assignment(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    response = await client.get("/v1/me/clinician", headers=sam.headers)
    assert response.json() == {"clinician": None}
    log = await client.get("/v1/me/access-log", headers=sam.headers)
    assert log.json() == {"items": [], "next_cursor": None}


async def test_export_in_many_small_chunks_keeps_every_entry_once(
    client: httpx.AsyncClient, accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.account.export.CHUNK_ROWS", 4)
    sam = await accounts.make()
    for i in range(11):  # several entries share one instant: the keyset must break the tie
        await post_entry(client, sam, recorded_at=f"2026-11-0{1 + i // 3}T08:00:00+00:00", mood=i)
    response = await client.get("/v1/me/export", headers=sam.headers)
    document = json.loads(response.content)
    assert document["entries"] == await all_entries(client, sam)
    assert len(document["entries"]) == 11
    rows = list(
        csv.DictReader(
            io.StringIO(
                (await client.get("/v1/me/export?format=csv", headers=sam.headers)).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert [row["id"] for row in rows] == [entry["id"] for entry in document["entries"]]


def test_default_summary_range_at_the_edge_of_the_calendar_does_not_overflow() -> None:
    from app.journal.stats import summary_range

    assert summary_range(None, date(1, 1, 5), "UTC") == (date(1, 1, 1), date(1, 1, 5))
    assert summary_range(None, date(2026, 11, 30), "UTC") == (date(2026, 11, 1), date(2026, 11, 30))


async def test_csv_export_neutralises_formulas_and_starts_with_a_bom(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    notes = ['=HYPERLINK("http://evil.example","x")', "+1+1", "@SUM(A1)", "-2", "plain - text"]
    for hour, note in enumerate(notes):
        await post_entry(client, sam, recorded_at=f"2026-11-20T0{hour}:00:00-01:00", note=note)
    csv_export = await client.get("/v1/me/export?format=csv", headers=sam.headers)
    assert csv_export.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheets
    rows = list(csv.DictReader(io.StringIO(csv_export.content.decode("utf-8-sig"))))
    by_time = [row["note"] for row in sorted(rows, key=lambda row: row["recorded_at"])]
    assert by_time == ["'" + note for note in notes[:4]] + ["plain - text"]
    assert {row["utc_offset_minutes"] for row in rows} == {"-60"}  # numbers stay numbers
    json_export = (await client.get("/v1/me/export", headers=sam.headers)).json()
    assert sorted(entry["note"] for entry in json_export["entries"]) == sorted(notes)
    assert json_export["exported_at"].endswith("Z")
