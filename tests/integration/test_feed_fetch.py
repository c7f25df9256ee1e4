"""fetch_url against the loopback feed server: redirects of every shape, private names, and
only FeedFetchError out, never with the feed's URL in it."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import timedelta

import pytest

from service.adapters.feeds.fetch import (
    FeedFetchError,
    FetchSettings,
    GuardedResolver,
    feed_session,
    fetch_url,
)
from service.core.feed_reading import Fetched
from tests.fakes.feeds import FakeResolver, FeedServer, feed_server

SETTINGS = FetchSettings(
    timeout=timedelta(seconds=10), max_bytes=1_000_000, max_redirects=3, allow_private=True
)
TOKEN = "tok3nInPath"
BODY = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
REFUSED = "the feed redirected to an address that is refused"
PRIVATE_NAME = "the feed's host resolves to a private or local address"


async def fetch(url: str, settings: FetchSettings = SETTINGS) -> Fetched:
    async with feed_session(settings) as session:
        return await fetch_url(session, url, etag=None, last_modified=None, settings=settings)


async def failure(url: str, settings: FetchSettings = SETTINGS) -> str:
    with pytest.raises(FeedFetchError) as caught:
        await fetch(url, settings)
    message = str(caught.value)
    assert TOKEN not in message
    assert "\n" not in message
    return message


def redirecting(server: FeedServer, location: str) -> str:
    server.redirects[f"moved-{TOKEN}"] = location
    return server.url(f"moved-{TOKEN}") + f"?key={TOKEN}"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://[::1", "the feed redirected to an invalid address"),
        ("http://[::1]:99999/", "the feed redirected to an invalid address"),
        ("http://a.example:99999/", "the feed redirected to an invalid address"),
        ("http://%zz", f"{REFUSED} (the feed URL's host is not a valid host name)"),
        ("http://%zz/x", f"{REFUSED} (the feed URL's host is not a valid host name)"),
        ("", "the feed answered HTTP 302 without a redirect address"),
        ("   ", "the feed answered HTTP 302 without a redirect address"),
        ("//", "more than 3 redirects"),  # yarl reads both as "this same URL again"
        ("http://", "more than 3 redirects"),
        ("file:///etc/passwd", f"{REFUSED} (feed URLs must use https or http)"),
        ("ftp://127.0.0.1/a.ics", f"{REFUSED} (feed URLs must use https or http)"),
        ("javascript:alert(1)", f"{REFUSED} (feed URLs must use https or http)"),
        ("gopher://127.0.0.1:6379/_INFO", f"{REFUSED} (feed URLs must use https or http)"),
        ("http://2130706433/feeds/a", f"{REFUSED} (the feed URL has a non-canonical numeric host)"),
        ("http://127.1/feeds/a", f"{REFUSED} (the feed URL has a non-canonical numeric host)"),
        ("http://0x7f.0.0.1/", f"{REFUSED} (the feed URL has a non-canonical numeric host)"),
        (
            "http://[::ffff:127.0.0.1]/",
            f"{REFUSED} (the feed URL has a non-canonical numeric host)",
        ),
        (
            "http://user:pw@127.0.0.1/",
            f"{REFUSED} (feed URLs must not carry a user name or password)",
        ),
        ("http://" + "a" * 3000, "the feed redirected to an address longer than 2048 characters"),
    ],
)
async def test_a_malformed_or_refused_redirect_is_a_feed_error(location: str, message: str) -> None:
    async with feed_server() as server:
        assert await failure(redirecting(server, location)) == message


@pytest.mark.parametrize(
    "location", ["/feeds/team", "team", "../feeds/team", "./team?x=1", "//{host}/feeds/team"]
)
async def test_relative_redirects_are_followed(location: str) -> None:
    async with feed_server() as server:
        server.feeds["team"] = BODY
        host = server.base_url.removeprefix("http://")
        fetched = await fetch(redirecting(server, location.format(host=host)))
        assert fetched.data == BODY
        assert [status for _, status in server.requests] == [302, 200]


async def test_a_redirect_without_location_is_a_feed_error() -> None:
    async with feed_server() as server:
        server.failing["moved"] = 302
        assert await failure(server.url("moved")) == (
            "the feed answered HTTP 302 without a redirect address"
        )


async def test_each_hop_is_checked_before_it_is_requested() -> None:
    async with feed_server() as server:
        server.redirects["a"] = "/feeds/b"
        server.redirects["b"] = "http://2130706433/feeds/c"
        message = await failure(server.url("a"))
        assert message == f"{REFUSED} (the feed URL has a non-canonical numeric host)"
        assert [path for path, _ in server.requests] == ["a", "b"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"http://[::1/{TOKEN}", "the feed URL is not a valid URL"),
        (f"http://127.0.0.1:99999/{TOKEN}", "the feed URL has an invalid port"),
        (f"http://%zz/{TOKEN}", "the feed URL's host is not a valid host name"),
        (f"http://2130706433/{TOKEN}", "the feed URL has a non-canonical numeric host"),
        (f"ftp://127.0.0.1/{TOKEN}", "feed URLs must use https or http"),
        (f"/feeds/{TOKEN}", "feed URLs must use https or http"),
        ("", "feed URLs must use https or http"),
    ],
)
async def test_a_malformed_feed_url_is_a_feed_error(url: str, message: str) -> None:
    assert await failure(url) == message


async def test_an_unreachable_feed_names_the_error_type_only() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once the socket is closed
    assert await failure(f"http://127.0.0.1:{port}/feeds/{TOKEN}") == (
        "could not fetch the feed (ClientConnectorError)"
    )


async def test_a_validator_that_cannot_be_sent_back_is_dropped() -> None:
    async with feed_server() as server:
        server.feeds["team"] = BODY
        async with feed_session(SETTINGS) as session:
            fetched = await fetch_url(
                session,
                server.url("team"),
                etag='"\x00bad"',
                last_modified="Mon, 01 Jan 2024 00:00:00 GMT\u00e9",
                settings=SETTINGS,
            )
        assert fetched.data == BODY


async def test_a_name_that_resolves_only_to_private_addresses_is_reported_as_such() -> None:
    resolver = FakeResolver({"feed.example.com": ["127.0.0.1", "10.1.2.3", "::1"]})
    settings = replace(SETTINGS, allow_private=False)
    async with feed_session(settings, resolver=resolver) as session:
        with pytest.raises(FeedFetchError) as caught:
            await fetch_url(
                session,
                f"https://feed.example.com/{TOKEN}.ics",
                etag=None,
                last_modified=None,
                settings=settings,
            )
    assert str(caught.value) == PRIVATE_NAME
    assert "feed.example.com" in resolver.asked


async def test_the_guarded_resolver_hands_out_public_addresses_only() -> None:
    resolver = FakeResolver(
        {
            "mixed.example": ["10.0.0.1", "93.184.216.34", "::ffff:127.0.0.1", "64:ff9b::a00:1"],
            "private.example": ["169.254.169.254", "fe80::1", "2002:7f00:1::1"],
        }
    )
    guarded = GuardedResolver(resolver)
    [result] = await guarded.resolve("mixed.example", 443)
    assert (result["host"], result["port"]) == ("93.184.216.34", 443)
    with pytest.raises(OSError, match="private or local"):
        await guarded.resolve("private.example", 443)
