"""Who may listen where: loopback by default, a server token beyond it."""

from __future__ import annotations

import pytest

from feed.cli import build_parser
from feed.cli import main as cli_main
from feed.server import Server, ServerConfig
from feed.server.auth import InsecureBind, check_bind, is_loopback

SERVER_TOKEN = "server-token-0123456789"


def test_servers_listen_on_127_0_0_1_unless_told_otherwise() -> None:
    """The library's config and every command that serves default to loopback."""
    assert ServerConfig().host == "127.0.0.1"
    parser = build_parser()
    for argv in (
        ["serve"],
        ["replay", "tokyo-2025-m1500-final"],
        ["gateway", "--nats", "nats://127.0.0.1:4222"],
    ):
        assert parser.parse_args(argv).host == "127.0.0.1", argv


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_addresses_need_no_token(host: str) -> None:
    """Only this machine can connect there, so no token is asked for."""
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.168.1.20", "feed.example.org"])
def test_any_other_address_needs_a_token_of_eight_characters_or_more(host: str) -> None:
    """Every interface, a LAN address or a host name: refused without a token, or a short one."""
    assert not is_loopback(host)
    with pytest.raises(InsecureBind, match="--token or the RACEFEED_TOKEN"):
        check_bind(host, None)
    with pytest.raises(InsecureBind, match="at least 8 characters"):
        check_bind(host, "short")
    check_bind(host, SERVER_TOKEN)


async def test_a_server_bound_beyond_loopback_without_a_token_refuses_to_start() -> None:
    """It raises before it listens: nothing is ever served unprotected."""
    server = Server(ServerConfig(host="0.0.0.0", port=0))
    with pytest.raises(InsecureBind):
        await server.start()
    assert server.connection_count() == 0


def test_racefeed_serve_refuses_to_listen_beyond_loopback_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 saying how to give a token; the environment variable counts as one."""
    monkeypatch.delenv("RACEFEED_TOKEN", raising=False)
    assert cli_main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "--token or the RACEFEED_TOKEN environment variable" in capsys.readouterr().err
    monkeypatch.setenv("RACEFEED_TOKEN", "tiny")
    assert cli_main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err
