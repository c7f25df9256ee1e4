"""check_url and is_public: which feed URLs may be fetched, whatever the HTTP library allows."""

from __future__ import annotations

import hashlib
import ipaddress

import pytest

from service.core.feed_urls import (
    NON_CANONICAL,
    PRIVATE,
    FeedUrlRefused,
    check_url,
    is_public,
    mask,
)

HTTPS_ONLY = "feed URLs must use https"
NOT_ASCII = "the feed URL's host must be plain ASCII (write an international name in its xn-- form)"
BAD_NAME = "the feed URL's host is not a valid host name"
BAD_PORT = "the feed URL has an invalid port"
USER = "feed URLs must not carry a user name or password"
ODD_CHARS = "the feed URL contains spaces, control characters or backslashes"


@pytest.mark.parametrize(
    "url",
    [
        "https://2130706433/a.ics",  # 127.0.0.1 as one decimal number
        "https://0177.0.0.1/a.ics",  # octal
        "https://0x7f.0.0.1/a.ics",  # hex part
        "https://0x7f000001/a.ics",  # one hex number
        "https://127.1/a.ics",  # fewer than four parts
        "https://1.1.1/a.ics",
        "https://127.0.0.1./a.ics",  # trailing dot
        "https://8.8.8.8./a.ics",  # even a public address
        "https://1.2.3.04/a.ics",  # leading zero
        "https://0x/a.ics",
        "https://%31%32%37.0.0.1/a.ics",  # percent-encoded digits
        "https://[::ffff:127.0.0.1]/a.ics",  # IPv4-mapped
        "https://[::ffff:7f00:1]/a.ics",
        "https://[::ffff:8.8.8.8]/a.ics",  # mapped, even if public
        "https://[::127.0.0.1]/a.ics",  # IPv4-compatible
        "https://[::ffff:0:7f00:1]/a.ics",  # IPv4-translated
        "https://[fe80::1%25eth0]/a.ics",  # zone id
        "https://[2606:4700::%31]/a.ics",
        "https://[0:0:0:0:0:0:0:1]/a.ics",  # not the canonical text
        "https://[2606:4700:0::1111]/a.ics",
        "https://[2606:4700::1111%5D/a.ics",
    ],
)
def test_non_canonical_numeric_hosts_are_refused(url: str) -> None:
    for allow_private in (False, True):
        with pytest.raises(FeedUrlRefused) as refused:
            check_url(url, allow_private=allow_private)
        if "%5D" not in url:
            assert str(refused.value) == NON_CANONICAL


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/a.ics",
        "https://10.1.2.3/a.ics",
        "https://172.16.0.1/a.ics",
        "https://192.168.1.1/a.ics",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://100.64.0.1/a.ics",  # shared address space
        "https://0.0.0.0/a.ics",
        "https://224.0.0.1/a.ics",  # multicast
        "https://255.255.255.255/a.ics",
        "https://[::1]/a.ics",
        "https://[::]/a.ics",
        "https://[fe80::1]/a.ics",
        "https://[fc00::1]/a.ics",
        "https://[ff02::1]/a.ics",
        "https://[2002:7f00:1::1]/a.ics",  # 6to4 of 127.0.0.1
        "https://[64:ff9b::a00:1]/a.ics",  # NAT64 of 10.0.0.1
        "https://[64:ff9b:1::1]/a.ics",  # local-use NAT64
        "https://[2001:db8::1]/a.ics",  # documentation
        "https://localhost/a.ics",
        "https://LOCALHOST./a.ics",
        "https://feeds.localhost/a.ics",
    ],
)
def test_private_and_local_hosts_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(FeedUrlRefused) as refused:
        check_url(url, allow_private=False)
    assert str(refused.value) == PRIVATE
    assert check_url(url.replace("https://", "http://"), allow_private=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://[::1", "the feed URL is not a valid URL"),
        ("https://[::1/a.ics", "the feed URL is not a valid URL"),
        ("https://[not-an-address]/a.ics", "the feed URL is not a valid URL"),
        ("https://[v1.future]/a.ics", "the feed URL's host is not a valid IPv6 address"),
        ("https://a.example:99999/a.ics", BAD_PORT),
        ("https://a.example:0/a.ics", BAD_PORT),
        ("https://a.example:+443/a.ics", BAD_PORT),
        ("https://a.example:https/a.ics", BAD_PORT),
        ("https://%zz/a.ics", BAD_NAME),
        ("https://a%2eexample/a.ics", BAD_NAME),
        ("https://exa$mple.com/a.ics", BAD_NAME),
        ("https://a..example/a.ics", BAD_NAME),
        (f"https://{'a' * 64}.example/a.ics", BAD_NAME),
        (f"https://{'a.' * 127}example/a.ics", BAD_NAME),
        ("https://ⓛocalhost/a.ics", NOT_ASCII),
        ("https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/a.ics", NOT_ASCII),  # full-width
        ("https://münchen.example/a.ics", NOT_ASCII),
        ("https:///a.ics", "the feed URL has no host"),
        ("https://", "the feed URL has no host"),
        ("https://user@calendar.example/a.ics", USER),
        ("https://:pw@calendar.example/a.ics", USER),
        ("https://@calendar.example/a.ics", USER),
        ("http://calendar.example/a.ics", HTTPS_ONLY),
        ("file:///etc/passwd", HTTPS_ONLY),
        ("ftp://calendar.example/a.ics", HTTPS_ONLY),
        ("webcal://calendar.example/a.ics", HTTPS_ONLY),
        ("javascript:alert(1)", HTTPS_ONLY),
        ("/feeds/a.ics", HTTPS_ONLY),
        ("//calendar.example/a.ics", HTTPS_ONLY),
        ("", HTTPS_ONLY),
        ("https://calendar.example/a b.ics", ODD_CHARS),
        ("https://calendar.example/a.ics\n", ODD_CHARS),
        ("https://calendar.example/\x00", ODD_CHARS),
        ("https://calendar.example\\@127.0.0.1/", ODD_CHARS),
        ("https://calendar.example/\u3000", ODD_CHARS),
        (f"https://calendar.example/{'a' * 2048}", "the feed URL is longer than 2048 characters"),
    ],
)
def test_malformed_feed_urls_are_refused_with_one_clear_line(url: str, message: str) -> None:
    with pytest.raises(FeedUrlRefused) as refused:
        check_url(url, allow_private=False)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://calendar.google.com/calendar/ical/x/basic.ics", "calendar.google.com"),
        ("https://Calendar.Google.COM/a.ics", "calendar.google.com"),
        ("https://outlook.office365.com:443/owa/calendar/a.ics", "outlook.office365.com"),
        ("https://p123-caldav.icloud.com/published/2/TOKEN", "p123-caldav.icloud.com"),
        ("https://1.2.3.example.com/a.ics", "1.2.3.example.com"),
        ("https://123.example/a.ics", "123.example"),
        ("https://xn--mnchen-3ya.example/a.ics", "xn--mnchen-3ya.example"),
        ("https://calendar.example./a.ics", "calendar.example."),
        ("https://my_host.example/a.ics", "my_host.example"),
        ("https://8.8.8.8/a.ics", "8.8.8.8"),
        ("https://[2606:4700:4700::1111]/a.ics", "2606:4700:4700::1111"),
        ("https://[2002:808:808::1]/a.ics", "2002:808:808::1"),  # 6to4 of 8.8.8.8
        ("https://calendar.example/a.ics?token=x#frag", "calendar.example"),
    ],
)
def test_public_feed_urls_are_accepted(url: str, host: str) -> None:
    assert check_url(url, allow_private=False) == host


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8080/feeds/a", "127.0.0.1"),
        ("http://[::1]:8080/feeds/a", "::1"),
        ("http://localhost/feeds/a", "localhost"),
        ("http://calendar.internal/a.ics", "calendar.internal"),
    ],
)
def test_private_addresses_pass_when_allowed(url: str, host: str) -> None:
    assert check_url(url, allow_private=True) == host


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("2002:808:808::1", True),
        ("64:ff9b::808:808", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("::", False),
        ("::ffff:127.0.0.1", False),
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
        ("::808:808", False),  # IPv4-compatible, deprecated even when public
        ("::ffff:0:7f00:1", False),
        ("2002:7f00:1::1", False),
        ("2002:a00:1::1", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b:1::808:808", False),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("fe80::1", False),
        ("fd12:3456::1", False),
        ("ff02::1", False),
    ],
)
def test_is_public_sees_through_ipv6_forms_of_ipv4(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_a_feed_url_is_masked_to_scheme_host_and_a_fingerprint() -> None:
    url = "https://p123-caldav.icloud.com/published/2/MTIzNDU2Nzg5MFRPS0VO?token=QUERYSECRET"
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    assert mask(url) == f"https://p123-caldav.icloud.com/… (#{digest})"
    other = "https://p123-caldav.icloud.com/published/2/T1RIRVJUT0tFTg"
    assert mask(other) != mask(url)
    assert mask(url) == mask(url)


@pytest.mark.parametrize(
    "url", ["http://[::1", "https://a:99999/x", "not a url", "https://%zz/x", "https://ⓛ/x"]
)
def test_masking_a_malformed_url_never_fails_nor_shows_it(url: str) -> None:
    shown = mask(url + "/SECRETPATH")
    assert shown.startswith("(URL #")
    assert "SECRETPATH" not in shown
