"""The `journal` command (also `python -m app`): serve, migrate, create-admin, demo, sweep."""

import argparse
import asyncio
import getpass
import os
import sys

from app.config import InsecureSettingsError, Settings, get_settings, load_settings


def _settings_or_exit(*, signs_tokens: bool = True) -> Settings:
    from pydantic import ValidationError

    try:
        return get_settings() if signs_tokens else load_settings(signs_tokens=False)
    except InsecureSettingsError as exc:
        print(f"journal: refusing to start: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    except ValidationError as exc:
        # Name the variable and the rule, never the value: it may be the secret key.
        for error in exc.errors(include_input=False, include_url=False):
            name = "JOURNAL_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"journal: invalid setting {name}: {error['msg']}", file=sys.stderr)
        raise SystemExit(2) from exc


def serve(args: argparse.Namespace) -> None:
    # Settings first: a refused configuration fails fast, before the app is imported.
    settings = _settings_or_exit()

    import uvicorn

    from app.main import create_app
    from app.middleware import configure_logging
    from app.server import uvicorn_options

    configure_logging(settings.log_level)
    # Header and body deadlines, the head size limit, the connection cap and the trusted
    # proxies: what `uvicorn app.main:app` alone does not have (see app/server.py).
    options = uvicorn_options(settings)
    if args.workers > 1:
        # Each worker process builds its own app from the same environment.
        uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers, **options)
        return
    uvicorn.run(create_app(settings), host=args.host, port=args.port, **options)


def _sqlite_directory_exists(database_url: str) -> None:
    """A SQLite file in a directory that does not exist cannot be created: said before
    connecting (aiosqlite's worker thread, left behind by a failed connect, may otherwise
    print a traceback as the process exits)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        directory = Path(url.database or "").parent
        if not directory.is_dir():
            raise OSError("unable to open database file: its directory does not exist")


def migrate(_args: argparse.Namespace) -> None:
    from sqlalchemy.exc import DBAPIError, InterfaceError

    from app.migrations import upgrade_to_head

    settings = _settings_or_exit(signs_tokens=False)
    try:
        _sqlite_directory_exists(settings.database_url)
        upgrade_to_head(settings.database_url)
    except (DBAPIError, InterfaceError, OSError) as exc:
        # One line, not a traceback: the usual causes are a database that was never
        # created, a wrong host or credentials. Never the URL: it may hold a password.
        cause = exc.orig if isinstance(exc, DBAPIError) else exc
        print(
            f"journal: cannot migrate: {type(cause).__name__}: {str(cause).splitlines()[0]} "
            "(create the database first and check JOURNAL_DATABASE_URL)",
            file=sys.stderr,
        )
        raise SystemExit(1) from exc
    print("journal: the database schema is at the latest migration")


def _port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1 to 65535)")
    return port


def _workers(value: str) -> int:
    workers = int(value)
    if workers < 1:
        raise argparse.ArgumentTypeError("at least 1 worker")
    return workers


def _read_admin_password() -> str:
    from_env = os.environ.get("JOURNAL_ADMIN_PASSWORD")
    if from_env:
        return from_env
    if sys.stdin.isatty():
        return getpass.getpass("Password for the new admin: ")
    return sys.stdin.readline().rstrip("\r\n")


def create_admin(args: argparse.Namespace) -> None:
    from app.errors import InvalidInput
    from app.seed import AccountExists, DatabaseNotReady, create_admin_account

    settings = _settings_or_exit(signs_tokens=False)
    password = _read_admin_password()
    try:
        asyncio.run(create_admin_account(settings, args.email, password, args.display_name))
    except InvalidInput as exc:
        what = exc.errors[0].field.replace("_", " ")
        print(f"journal: {what} refused: {exc.detail}", file=sys.stderr)
        raise SystemExit(2) from exc
    except (AccountExists, DatabaseNotReady) as exc:
        print(f"journal: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    print(f"journal: admin {args.email} created")


def demo(_args: argparse.Namespace) -> None:
    from app.migrations import upgrade_to_head
    from app.seed import load_demo

    settings = _settings_or_exit(signs_tokens=False)
    if settings.env == "production":
        print("journal: refusing to load demo data in production", file=sys.stderr)
        raise SystemExit(2)
    upgrade_to_head(settings.database_url)
    created = asyncio.run(load_demo(settings))
    print(created.describe())


def sweep(args: argparse.Namespace) -> None:
    from app.db import create_engine, create_sessionmaker
    from app.middleware import configure_logging
    from app.sweeper.runner import sweep_and_log, sweep_forever

    settings = _settings_or_exit(signs_tokens=False)
    configure_logging(settings.log_level)

    async def run() -> None:
        engine = create_engine(settings)
        try:
            sessionmaker = create_sessionmaker(engine)
            if args.once:
                report = await sweep_and_log(sessionmaker, settings.sweep_batch_size, settings)
                if report is None:
                    raise SystemExit(1)
                return
            await sweep_forever(sessionmaker, args.interval, settings.sweep_batch_size, settings)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _interval(value: str) -> float:
    seconds = float(value)
    if not 1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError("1 to 3600 seconds")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="journal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser(
        "serve",
        help="run the HTTP API with uvicorn",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve_parser.add_argument("--port", type=_port, default=8000, help="TCP port (1 to 65535)")
    serve_parser.add_argument("--workers", type=_workers, default=1, help="worker processes")
    serve_parser.set_defaults(handler=serve)
    commands.add_parser("migrate", help="bring the schema to the latest migration").set_defaults(
        handler=migrate
    )
    admin_parser = commands.add_parser(
        "create-admin",
        help="create an admin (password from stdin or JOURNAL_ADMIN_PASSWORD)",
    )
    admin_parser.add_argument("email")
    admin_parser.add_argument("--display-name", default="Administrator")
    admin_parser.set_defaults(handler=create_admin)
    commands.add_parser(
        "demo", help="migrate and load a demo clinic (idempotent; refused in production)"
    ).set_defaults(handler=demo)
    sweep_parser = commands.add_parser(
        "sweep",
        help="escalate overdue alerts and raise missed check-ins (any number may run)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    sweep_parser.add_argument("--once", action="store_true", help="one pass, then exit")
    sweep_parser.add_argument(
        "--interval", type=_interval, default=60.0, help="seconds between passes"
    )
    sweep_parser.set_defaults(handler=sweep)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
