"""Where the command line finds its settings and the stored login, and the client it builds from them."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import AminoAuth, AminoClient, FileTokenStore, Tokens
from ._output import CliError

__all__ = [
    "Settings",
    "default_token_file",
    "open_client",
    "read_password",
    "read_username",
    "session_key",
    "stored_tokens",
]


def default_token_file(environ: Mapping[str, str] | None = None) -> Path:
    """``$AMINO_TOKEN_FILE``, else ``$XDG_CONFIG_HOME/amino-async/tokens.json``, else ``~/.config/...``."""
    env = os.environ if environ is None else environ
    if env.get("AMINO_TOKEN_FILE"):
        return Path(env["AMINO_TOKEN_FILE"]).expanduser()
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config_home) / "amino-async" / "tokens.json"


@attrs.frozen
class Settings:
    """The global options, after the environment filled in what the command line left out."""

    base_url: str | None
    username: str | None
    token_file: Path
    json: bool = False
    allow_insecure_http: bool = False

    def require_base_url(self) -> str:
        """The base URL, or a :class:`CliError` saying how to give one."""
        if not self.base_url:
            raise CliError("no deployment given: pass --base-url URL or set AMINO_BASE_URL", status=2)
        return self.base_url

    def store(self) -> FileTokenStore:
        """The token file."""
        return FileTokenStore(self.token_file)

    def client(self, base_url: str, **credentials: Any) -> AminoClient:
        """A client of ``base_url`` with ``credentials`` and what every command's client shares."""
        return AminoClient(base_url, allow_insecure_http=self.allow_insecure_http, **credentials)


def session_key(base_url: str, store: FileTokenStore, *, allow_insecure_http: bool = False) -> str:
    """The key of the stored login of ``base_url``.

    It is the key a client given only the token store reads and writes, so that every command after ``login``
    (a client made with ``token_store=`` alone) finds the tokens, and saves the ones each refresh rotates under
    the same key: the token file holds one login per deployment.
    """
    return AminoAuth(base_url, token_store=store, allow_insecure_http=allow_insecure_http).store_key


async def stored_tokens(settings: Settings) -> tuple[str, FileTokenStore, Tokens | None]:
    """The base URL, the token file, and the login stored in it for that deployment (None: not logged in)."""
    base_url = settings.require_base_url()
    store = settings.store()
    key = session_key(base_url, store, allow_insecure_http=settings.allow_insecure_http)
    return base_url, store, await store.load(key)


async def open_client(settings: Settings) -> AminoClient:
    """A client of the deployment: from the stored login, else from AMINO_USERNAME and AMINO_PASSWORD.

    The stored login is used as the token file holds it; refreshed tokens are written back. Without one, a
    username and ``AMINO_PASSWORD`` log in for this command alone, storing nothing.
    """
    base_url, store, tokens = await stored_tokens(settings)
    if tokens is not None:
        return settings.client(base_url, token_store=store)
    password = os.environ.get("AMINO_PASSWORD")
    if settings.username and password:
        return settings.client(base_url, username=settings.username, password=password)
    raise CliError(f"not logged in to {base_url}: run 'amino-async login' first")


def read_password(*, from_stdin: bool) -> str:
    """The password: ``AMINO_PASSWORD``, else one line of stdin (``--password-stdin``), else a prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CliError("--password-stdin: no password on standard input", status=2)
        return password
    password = os.environ.get("AMINO_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise CliError("no password: set AMINO_PASSWORD, use --password-stdin, or run in a terminal", status=2)
    try:
        password = getpass.getpass("Password: ")
    except EOFError:  # Ctrl-D
        password = ""
    except KeyboardInterrupt:  # Ctrl-C: end the prompt's line (getpass writes no newline then), then stop
        _end_the_line(sys.stderr)
        raise
    if not password:
        raise CliError("no password given", status=2)
    return password


def read_username(settings: Settings) -> str:
    """The username: ``--username`` / ``AMINO_USERNAME``, else a prompt in a terminal."""
    if settings.username:
        return settings.username
    if not sys.stdin.isatty():
        raise CliError("no username: pass --username or set AMINO_USERNAME", status=2)
    try:
        username = input("Username: ").strip()
    except EOFError:  # Ctrl-D
        username = ""
    except KeyboardInterrupt:  # Ctrl-C: input() wrote its prompt on stdout
        _end_the_line(sys.stdout)
        raise
    if not username:
        raise CliError("no username given", status=2)
    return username


def _end_the_line(stream: Any) -> None:
    """Put the cursor on a line of its own after a prompt that Ctrl-C ended (exit 130 follows, quietly)."""
    try:
        stream.write("\n")
        stream.flush()
    except (OSError, ValueError):  # a stream already closed: nothing to tidy
        pass
