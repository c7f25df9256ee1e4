"""Tables of join URLs and lookalikes for `normalize_meeting_url`, plus its properties."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from service.core.errors import InvalidMeetingUrl
from service.core.meeting_links import NormalizedLink, normalize_meeting_url
from service.core.model import Platform

ZOOM = Platform.ZOOM
MEET = Platform.GOOGLE_MEET
TEAMS = Platform.MICROSOFT_TEAMS
WEBEX = Platform.WEBEX

# A Teams meetup-join link exactly as Outlook writes it (lower-case escapes).
TEAMS_THREAD = "19%3ameeting_OTA0NTdmYmItYTlhYi00MmRkLTgxODItZGFmNWVmNTJmOGQ4%40thread.v2"
TEAMS_CONTEXT = (
    "%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c"
    "%22Oid%22%3a%22c0b6b9b5-1a34-4a0e-9b0e-2f6a2ef3c9c1%22%7d"
)
TEAMS_JOIN = f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}"
# The same meeting as the Teams web app embeds it: unescaped thread, escaped context.
TEAMS_RAW_THREAD = "19:meeting_OTA0NTdmYmItYTlhYi00MmRkLTgxODItZGFmNWVmNTJmOGQ4@thread.v2"
TEAMS_RAW_JOIN = (
    f"https://teams.microsoft.com/l/meetup-join/{TEAMS_RAW_THREAD}/0?context={TEAMS_CONTEXT}"
)
# Base64 of {"conversationId": "19:meeting_OTA0...@thread.v2", "tenantId": "72f988bf-...",
# "organizerId": "c0b6b9b5-...", "messageId": "0"}, as a light-meetings launch link carries it.
LIGHT_COORDS = (
    "eyJjb252ZXJzYXRpb25JZCI6ICIxOTptZWV0aW5nX09UQTBOVGRtWW1JdFlUbGhZaTAwTW1Sa0xUZ3hPREl0"
    "WkdGbU5XVm1OVEptT0dRNEB0aHJlYWQudjIiLCAidGVuYW50SWQiOiAiNzJmOTg4YmYtODZmMS00MWFmLTkx"
    "YWItMmQ3Y2QwMTFkYjQ3IiwgIm9yZ2FuaXplcklkIjogImMwYjZiOWI1LTFhMzQtNGEwZS05YjBlLTJmNmEy"
    "ZWYzYzljMSIsICJtZXNzYWdlSWQiOiAiMCJ9"
)
WEBEX_MTID = "m5f4bdc2a0ef8e5b4c9dd61f80b7e0a31"


def coords(payload: object) -> str:
    """Base64 of a JSON payload, without padding, as Teams puts it in ``coords=``."""
    return base64.b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def safelink(target: str, region: str = "nam12") -> str:
    """An Outlook Safe Links wrapper around ``target``."""
    return (
        f"https://{region}.safelinks.protection.outlook.com/?url={quote(target, safe='')}"
        "&data=05%7C02%7Cjane%40contoso.com%7C8d1f%7C72f988bf%7C0%7C0%7C6385&sdata=Zm9v%3D"
        "&reserved=0"
    )


ACCEPTED = [
    # Zoom
    pytest.param("https://zoom.us/j/123456789", ZOOM, "https://zoom.us/j/123456789", id="zoom"),
    pytest.param(
        "https://us02web.zoom.us/j/85123456789?pwd=dGhpc2lzYXRlc3QuMQ.1",
        ZOOM,
        "https://us02web.zoom.us/j/85123456789?pwd=dGhpc2lzYXRlc3QuMQ.1",
        id="zoom-regional-pwd",
    ),
    pytest.param(
        "https://us06web.zoom.us/j/85123456789?from=addon&pwd=abc123.1&uname=Jane#success",
        ZOOM,
        "https://us06web.zoom.us/j/85123456789?pwd=abc123.1",
        id="zoom-keeps-only-pwd",
    ),
    pytest.param(
        "https://videoconf-colibri.zoom.us/j/93800310242?pwd=K3FBUVJUV2hrTm1OR2RWb0ZabTJkZz09",
        ZOOM,
        "https://videoconf-colibri.zoom.us/j/93800310242?pwd=K3FBUVJUV2hrTm1OR2RWb0ZabTJkZz09",
        id="zoom-vanity-from-rie-48",
    ),
    pytest.param(
        "https://zoom.us/w/98765432101?tk=ZkPqN8f2LrS4.DQkAAAAATEST&pwd=AbC9xYpQ.1",
        ZOOM,
        "https://zoom.us/w/98765432101?pwd=AbC9xYpQ.1&tk=ZkPqN8f2LrS4.DQkAAAAATEST",
        id="zoom-webinar-pwd-then-tk",
    ),
    pytest.param(
        "https://zoom.us/wc/join/1234567890?pwd=x1",
        ZOOM,
        "https://zoom.us/wc/join/1234567890?pwd=x1",
        id="zoom-web-client",
    ),
    pytest.param(
        "https://acme.zoom.us/my/jane.doe?pwd=abc",
        ZOOM,
        "https://acme.zoom.us/my/jane.doe?pwd=abc",
        id="zoom-personal-link",
    ),
    pytest.param(
        "http://zoom.us/j/1234567890", ZOOM, "https://zoom.us/j/1234567890", id="zoom-http"
    ),
    pytest.param(
        "HTTPS://US02WEB.ZOOM.US/j/85123456789",
        ZOOM,
        "https://us02web.zoom.us/j/85123456789",
        id="zoom-upper-case-host",
    ),
    pytest.param(
        "https://zoom.us:443/j/123456789", ZOOM, "https://zoom.us/j/123456789", id="zoom-port-443"
    ),
    pytest.param(
        "http://zoom.us:80/j/123456789", ZOOM, "https://zoom.us/j/123456789", id="zoom-port-80"
    ),
    pytest.param(
        "https://zoom.us/j/123456789?pwd=", ZOOM, "https://zoom.us/j/123456789", id="zoom-empty"
    ),
    pytest.param("https://zoom.com/j/123456789", ZOOM, "https://zoom.com/j/123456789", id="zcom"),
    pytest.param(
        "https://us05web.zoom.com/j/98765432109?pwd=q",
        ZOOM,
        "https://us05web.zoom.com/j/98765432109?pwd=q",
        id="zoom-com-sub",
    ),
    pytest.param(
        "https://zoomgov.com/j/1601234567", ZOOM, "https://zoomgov.com/j/1601234567", id="zgov"
    ),
    pytest.param(
        "https://agency.zoomgov.com/j/1601234567?pwd=Z2V0",
        ZOOM,
        "https://agency.zoomgov.com/j/1601234567?pwd=Z2V0",
        id="zoomgov-sub",
    ),
    pytest.param(
        "https://zoom-x.de/j/61234567890?pwd=abc",
        ZOOM,
        "https://zoom-x.de/j/61234567890?pwd=abc",
        id="zoom-x",
    ),
    pytest.param(
        "https://zoom.com.cn/j/123456789", ZOOM, "https://zoom.com.cn/j/123456789", id="zoom-cn"
    ),
    # Google Meet
    pytest.param(
        "https://meet.google.com/abc-defg-hij", MEET, "https://meet.google.com/abc-defg-hij", id="m"
    ),
    pytest.param(
        "https://meet.google.com/abc-defg-hij?authuser=0&hs=122&pli=1",
        MEET,
        "https://meet.google.com/abc-defg-hij",
        id="meet-drops-query",
    ),
    pytest.param(
        "http://meet.google.com/xyz-abcd-efg#join",
        MEET,
        "https://meet.google.com/xyz-abcd-efg",
        id="meet-http-fragment",
    ),
    pytest.param(
        "https://MEET.GOOGLE.COM/Abc-Defg-Hij",
        MEET,
        "https://meet.google.com/abc-defg-hij",
        id="meet-folds-case",
    ),
    pytest.param(
        "https://meet.google.com/lookup/grade7-maths?authuser=1",
        MEET,
        "https://meet.google.com/lookup/grade7-maths",
        id="meet-lookup",
    ),
    # Microsoft Teams
    pytest.param(TEAMS_JOIN, TEAMS, TEAMS_JOIN, id="teams-meetup-join"),
    pytest.param(
        f"{TEAMS_JOIN}&anon=true&deeplinkId=2d5c",
        TEAMS,
        TEAMS_JOIN,
        id="teams-drops-other-params",
    ),
    pytest.param(
        f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0?anon=true&context={TEAMS_CONTEXT}",
        TEAMS,
        TEAMS_JOIN,
        id="teams-context-not-first",
    ),
    pytest.param(
        f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0?context="
        '{"Tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","Oid":"c0b6b9b5"}',
        TEAMS,
        f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0?context="
        '{"Tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","Oid":"c0b6b9b5"}',
        id="teams-unescaped-context-kept",
    ),
    pytest.param(
        "https://teams.microsoft.com/l/meetup-join/19%3A4a2b0c%40thread.tacv2/1612345678901"
        f"?context={TEAMS_CONTEXT}",
        TEAMS,
        "https://teams.microsoft.com/l/meetup-join/19%3A4a2b0c%40thread.tacv2/1612345678901"
        f"?context={TEAMS_CONTEXT}",
        id="teams-channel-meeting-upper-escapes-kept",
    ),
    pytest.param(
        f"https://gov.teams.microsoft.us/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}",
        TEAMS,
        f"https://gov.teams.microsoft.us/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}",
        id="teams-gcc-high",
    ),
    pytest.param(
        f"https://dod.teams.microsoft.us/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}",
        TEAMS,
        f"https://dod.teams.microsoft.us/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}",
        id="teams-dod",
    ),
    pytest.param(
        f"https://teams.live.com/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}",
        TEAMS,
        f"https://teams.live.com/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}",
        id="teams-live-meetup-join",
    ),
    pytest.param(
        "https://teams.microsoft.com/meet/2459133841234?p=Aa1Bb2Cc3Dd4Ee5",
        TEAMS,
        "https://teams.microsoft.com/meet/2459133841234?p=Aa1Bb2Cc3Dd4Ee5",
        id="teams-short",
    ),
    pytest.param(
        "https://teams.microsoft.com/meet/2459133841234?anon=true&p=Aa1Bb2Cc3Dd4Ee5#x",
        TEAMS,
        "https://teams.microsoft.com/meet/2459133841234?p=Aa1Bb2Cc3Dd4Ee5",
        id="teams-short-keeps-only-p",
    ),
    pytest.param(
        "https://teams.live.com/meet/9876543210?p=qHDqtvFSfIg1rT",
        TEAMS,
        "https://teams.live.com/meet/9876543210?p=qHDqtvFSfIg1rT",
        id="teams-live-short",
    ),
    pytest.param(
        "https://teams.microsoft.us/meet/1234567890123?p=Aa1Bb2",
        TEAMS,
        "https://teams.microsoft.us/meet/1234567890123?p=Aa1Bb2",
        id="teams-gov-short",
    ),
    pytest.param(
        f"https://teams.microsoft.com/dl/launcher/launcher.html?url=/_#/l/meetup-join/"
        f"{TEAMS_RAW_THREAD}/0?context={TEAMS_CONTEXT}&anon=true&type=meetup-join"
        "&deeplinkId=5044eb28&directDl=true&msLaunch=true&enableMobilePage=true",
        TEAMS,
        TEAMS_RAW_JOIN,
        id="teams-launcher-fragment",
    ),
    pytest.param(
        "https://teams.microsoft.com/dl/launcher/launcher.html?url="
        + quote(f"/_#/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}&anon=true", safe="")
        + "&type=meetup-join&deeplinkId=5044eb28&directDl=true&msLaunch=true",
        TEAMS,
        TEAMS_JOIN,
        id="teams-launcher-encoded",
    ),
    pytest.param(
        "https://teams.live.com/dl/launcher/launcher.html?url=/_#/meet/9876543210?p=qHDqtvF"
        "&anon=true&type=meet&deeplinkId=1b2c",
        TEAMS,
        "https://teams.live.com/meet/9876543210?p=qHDqtvF",
        id="teams-launcher-short",
    ),
    pytest.param(
        f"https://teams.microsoft.com/v2/?meetingjoin=true#/l/meetup-join/{TEAMS_RAW_THREAD}/0"
        f"?context={TEAMS_CONTEXT}&anon=true",
        TEAMS,
        TEAMS_RAW_JOIN,
        id="teams-v2",
    ),
    pytest.param(
        f"https://teams.microsoft.com/_#/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}",
        TEAMS,
        TEAMS_JOIN,
        id="teams-old-web-app",
    ),
    pytest.param(
        "https://teams.microsoft.com/light-meetings/launch?agent=web&version=25072001100"
        f"&coords={LIGHT_COORDS}&deeplinkId=0ac0a241&correlationId=11111111",
        TEAMS,
        TEAMS_JOIN,
        id="teams-light-meetings",
    ),
    pytest.param(
        "https://teams.microsoft.com/light-meetings/launch?coords="
        + coords({"conversationId": TEAMS_RAW_THREAD, "tenantId": "t-1", "messageId": "0"})
        + "%3D",
        TEAMS,
        f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0"
        "?context=%7b%22Tid%22%3a%22t-1%22%7d",
        id="teams-light-meetings-no-organizer",
    ),
    # Webex
    pytest.param(
        "https://acme.webex.com/meet/jdoe", WEBEX, "https://acme.webex.com/meet/jdoe", id="webex"
    ),
    pytest.param(
        "https://acme.webex.com/meet/jane.doe?launchApp=true#x",
        WEBEX,
        "https://acme.webex.com/meet/jane.doe",
        id="webex-room-drops-query",
    ),
    pytest.param(
        "https://acme.my.webex.com/meet/jdoe",
        WEBEX,
        "https://acme.my.webex.com/meet/jdoe",
        id="webex-my-site",
    ),
    pytest.param(
        "https://acme.webex.com/join/jdoe", WEBEX, "https://acme.webex.com/join/jdoe", id="wjoin"
    ),
    pytest.param(
        f"https://acme.webex.com/acme/j.php?MTID={WEBEX_MTID}&from=calendar",
        WEBEX,
        f"https://acme.webex.com/acme/j.php?MTID={WEBEX_MTID}",
        id="webex-scheduled-keeps-only-mtid",
    ),
    pytest.param(
        "https://acme.webex.com/wbxmjs/joinservice/sites/acme/meeting/download/"
        f"8c2f6b1e4a?siteurl=acme&MTID={WEBEX_MTID}&token=QUhTSwAAAIU#x",
        WEBEX,
        "https://acme.webex.com/wbxmjs/joinservice/sites/acme/meeting/download/"
        f"8c2f6b1e4a?siteurl=acme&MTID={WEBEX_MTID}&token=QUhTSwAAAIU",
        id="webex-api-join-kept-whole",
    ),
    # Redirect wrappers
    pytest.param(
        safelink("https://us02web.zoom.us/j/85123456789?pwd=abc.1"),
        ZOOM,
        "https://us02web.zoom.us/j/85123456789?pwd=abc.1",
        id="safelinks",
    ),
    pytest.param(
        safelink(safelink(TEAMS_JOIN), region="eur03"),
        TEAMS,
        TEAMS_JOIN,
        id="safelinks-nested-keeps-teams-escapes",
    ),
    pytest.param(
        "https://www.google.com/url?q=https://meet.google.com/abc-defg-hij&sa=D&source=calendar"
        "&ust=1700000000000000&usg=AOvVaw0",
        MEET,
        "https://meet.google.com/abc-defg-hij",
        id="google-redirect",
    ),
    pytest.param(
        "https://www.google.com/url?q=https%3A%2F%2Fus02web.zoom.us%2Fj%2F85123456789%3Fpwd%3Dx"
        "&sa=D",
        ZOOM,
        "https://us02web.zoom.us/j/85123456789?pwd=x",
        id="google-redirect-encoded",
    ),
    pytest.param(
        "  https://zoom.us/j/123456789\n", ZOOM, "https://zoom.us/j/123456789", id="surrounding-ws"
    ),
]


@pytest.mark.parametrize(("raw", "platform", "expected"), ACCEPTED)
def test_normalize_accepts_join_url(raw: str, platform: Platform, expected: str) -> None:
    assert normalize_meeting_url(raw) == NormalizedLink(platform=platform, url=expected)


@pytest.mark.parametrize(("raw", "platform", "expected"), ACCEPTED)
def test_normalized_url_normalizes_to_itself(raw: str, platform: Platform, expected: str) -> None:
    assert normalize_meeting_url(expected) == NormalizedLink(platform=platform, url=expected)


def nested_safelink(target: str, depth: int) -> str:
    for _ in range(depth):
        target = safelink(target)
    return target


REJECTED = [
    # Not http(s) at all
    pytest.param("tel:+16469313860,,85123456789#,,,,*123456#", "not_http", id="tel"),
    pytest.param("sip:85123456789@zoomcrc.com", "not_http", id="sip"),
    pytest.param(
        "conf:sip:jane@contoso.com;gruu;opaque=app:conf:focus:id:ABCD1234%3Frequired-media=audio",
        "not_http",
        id="conf-sip",
    ),
    pytest.param("mailto:jane@contoso.com", "not_http", id="mailto"),
    pytest.param("callto:+14155550123", "not_http", id="callto"),
    pytest.param("zoommtg://zoom.us/join?action=join&confno=123456789", "not_http", id="zoommtg"),
    pytest.param("jdoe@acme.webex.com", "not_http", id="webex-sip-address"),
    pytest.param("zoom.us/j/123456789", "not_http", id="no-scheme"),
    pytest.param("ftp://zoom.us/j/123456789", "not_http", id="ftp"),
    pytest.param("javascript:alert(document.domain)//zoom.us/j/1", "not_http", id="javascript"),
    # Generic safety checks
    pytest.param(
        "https://teams.microsoft.com@evil.com/l/meetup-join/x/0?context=%7b%22Tid%22%3a%22t%22%7d",
        "userinfo",
        id="teams-at-evil",
    ),
    pytest.param("https://jane:hunter2@zoom.us/j/123456789", "userinfo", id="credentials"),
    pytest.param("https://zoom.us:8443/j/123456789", "port", id="port"),
    pytest.param("https://zoom.us:80/j/123456789", "port", id="https-on-80"),
    pytest.param("https://zoom.us:abc/j/123456789", "port", id="bad-port"),
    pytest.param("https://z\u043e\u043em.us/j/123456789", "non_ascii_host", id="cyrillic-zoom"),
    pytest.param(
        "https://meet.g\u043e\u043egle.com/abc-defg-hij", "non_ascii_host", id="cyrillic-meet"
    ),
    pytest.param("https://zoom.us:\uff18\uff10/j/123456789", "non_ascii_host", id="fullwidth-port"),
    pytest.param("https://xn--zm-fmca.us/j/123456789", "unknown_host", id="punycode-zoom"),
    pytest.param("https://evil.com\\.zoom.us/j/123456789", "malformed", id="backslash"),
    pytest.param("https://zoom.us/j/123456789 extra", "malformed", id="inner-space"),
    pytest.param(f"{TEAMS_JOIN}>", "malformed", id="trailing-angle"),
    pytest.param("", "malformed", id="empty"),
    pytest.param("   ", "malformed", id="blank"),
    pytest.param("https://zoom.us/j/123456789?pwd=" + "a" * 9000, "too_long", id="too-long"),
    pytest.param("https://[::1/j/123456789", "malformed", id="broken-ipv6"),
    pytest.param("https://[::1]/j/123456789", "bad_host", id="ipv6"),
    pytest.param("https://192.0.2.10/j/123456789", "bad_host", id="ip-dial-string"),
    pytest.param("https:///zoom.us/j/123456789", "bad_host", id="no-host"),
    pytest.param("https://zoom.us./j/123456789", "bad_host", id="trailing-dot"),
    pytest.param("https://zoom_us.com/j/123456789", "bad_host", id="underscore"),
    # Lookalike hosts
    pytest.param("https://zoom.us.evil.com/j/123456789", "unknown_host", id="zoom-prefix"),
    pytest.param("https://evilzoom.us/j/123456789", "unknown_host", id="evilzoom"),
    pytest.param("https://my-zoom.us/j/123456789", "unknown_host", id="dashed-zoom"),
    pytest.param("https://zoom.usa.com/j/123456789", "unknown_host", id="zoom-usa"),
    pytest.param(
        "https://meet.google.com.attacker.net/abc-defg-hij", "unknown_host", id="meet-prefix"
    ),
    pytest.param("https://meet-google.com/abc-defg-hij", "unknown_host", id="meet-dash"),
    pytest.param("https://x.meet.google.com/abc-defg-hij", "unknown_host", id="meet-sub"),
    pytest.param(
        "https://teams.microsoft.com.evil.com/meet/1234567890?p=x", "unknown_host", id="teams-pref"
    ),
    pytest.param("https://evilteams.microsoft.com/meet/1234567890?p=x", "unknown_host", id="et"),
    pytest.param(
        "https://gov.teams.microsoft.com/meet/1234567890123?p=Aa1", "unknown_host", id="gov-com"
    ),
    pytest.param("https://webex.com.evil.com/meet/jdoe", "unknown_host", id="webex-prefix"),
    pytest.param("https://webex.com/meet/jdoe", "unknown_host", id="bare-webex"),
    pytest.param("https://acmewebex.com/meet/jdoe", "unknown_host", id="acmewebex"),
    pytest.param("https://aka.ms/JoinTeamsMeeting", "unknown_host", id="aka-ms"),
    pytest.param(
        "https://support.google.com/a/users/answer/9282720", "unknown_host", id="meet-support"
    ),
    pytest.param("https://example.com/", "unknown_host", id="example"),
    pytest.param(
        "https://www.google.com/url?q=https://evil.example/j/123&sa=D",
        "unknown_host",
        id="google-redirect-elsewhere",
    ),
    pytest.param(
        nested_safelink("https://zoom.us/j/123456789", 6),
        "unknown_host",
        id="safelinks-nested-too-deep",
    ),
    # Hosts that serve pages, not meetings
    pytest.param("https://tel.meet/abc-defg-hij?pin=3178523123456", "not_a_join_host", id="tm"),
    pytest.param("https://stream.meet.google.com/stream/8b1c", "not_a_join_host", id="stream"),
    pytest.param("https://events.zoom.us/ev/AbC123", "not_a_join_host", id="zoom-events"),
    pytest.param("https://help.webex.com/en-us/article/nqzs8gh", "not_a_join_host", id="help"),
    pytest.param(
        "https://dialin.teams.microsoft.com/8551f4c1-bea3-441a-8738-69aa517a91c5?id=123456789",
        "not_a_join_host",
        id="teams-dialin",
    ),
    # Zoom paths
    pytest.param("https://us02web.zoom.us/u/kdXyZ1aBc", "not_a_join_path", id="zoom-u"),
    pytest.param("https://zoom.us/s/85123456789?zak=eyJ0", "not_a_join_path", id="zoom-start"),
    pytest.param("https://zoom.us/j/test", "not_a_join_path", id="zoom-j-word"),
    pytest.param("https://zoom.us/j/12345678", "not_a_join_path", id="zoom-j-8-digits"),
    pytest.param("https://zoom.us/j/123456789012", "not_a_join_path", id="zoom-j-12-digits"),
    pytest.param("https://zoom.us/j/١٢٣٤٥٦٧٨٩", "not_a_join_path", id="zoom-arabic-digits"),
    pytest.param("https://zoom.us/j/123456789/", "not_a_join_path", id="zoom-trailing-slash"),
    pytest.param("https://zoom.us/download", "not_a_join_path", id="zoom-download"),
    pytest.param("https://zoom.us/", "not_a_join_path", id="zoom-root"),
    pytest.param(
        "https://us02web.zoom.us/meetings/85123456789/invitations?signature=Zm9v",
        "not_a_join_path",
        id="zoom-invitation-page",
    ),
    pytest.param("https://zoom.us/j/123456789?pwd=a;b", "bad_query_value", id="zoom-odd-pwd"),
    # Google Meet paths
    pytest.param("https://meet.google.com/xxx", "not_a_join_path", id="meet-anonymised-rie-173"),
    pytest.param("https://meet.google.com/new", "not_a_join_path", id="meet-new"),
    pytest.param("https://meet.google.com/landing?authuser=0", "not_a_join_path", id="landing"),
    pytest.param("https://meet.google.com/abc-defg-hi", "not_a_join_path", id="meet-3-4-2"),
    pytest.param("https://meet.google.com/abc-def-ghij", "not_a_join_path", id="meet-3-3-4"),
    pytest.param("https://meet.google.com/ab1-defg-hij", "not_a_join_path", id="meet-digit"),
    pytest.param("https://meet.google.com/abc-defg-hij/x", "not_a_join_path", id="meet-extra"),
    pytest.param("https://meet.google.com/", "not_a_join_path", id="meet-root"),
    # Teams paths
    pytest.param(
        f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0",
        "missing_context",
        id="teams-no-context",
    ),
    pytest.param(
        f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0?context=",
        "missing_context",
        id="teams-empty-context",
    ),
    pytest.param(
        f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0?context=xyz",
        "bad_context",
        id="teams-context-without-tenant",
    ),
    pytest.param(
        f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}?context={TEAMS_CONTEXT}",
        "not_a_join_path",
        id="teams-no-message-id",
    ),
    pytest.param(
        "https://teams.microsoft.com/meet/2459133841234", "missing_passcode", id="teams-short-no-p"
    ),
    pytest.param(
        "https://teams.microsoft.com/meet/2459133841234?p=", "missing_passcode", id="teams-p-empty"
    ),
    pytest.param(
        "https://teams.microsoft.com/meet/123456789?p=Aa1", "not_a_join_path", id="teams-short-9"
    ),
    pytest.param(
        "https://teams.microsoft.com/meet/channel?p=Aa1", "not_a_join_path", id="teams-short-word"
    ),
    pytest.param(
        "https://teams.microsoft.com/meetingOptions/?organizerId=c0b6b9b5&tenantId=72f988bf"
        "&threadId=19_meeting_OTA0@thread.v2&messageId=0&language=en-US",
        "not_a_join_path",
        id="teams-meeting-options",
    ),
    pytest.param(
        "https://teams.microsoft.com/l/meeting/new?subject=Sync", "not_a_join_path", id="new"
    ),
    pytest.param(
        "https://teams.microsoft.com/l/team/19%3a9f1b%40thread.tacv2/conversations"
        "?groupId=2d1f&tenantId=72f988bf",
        "not_a_join_path",
        id="teams-team",
    ),
    pytest.param(
        "https://teams.microsoft.com/l/channel/19%3a9f1b%40thread.tacv2/General"
        "?groupId=2d1f&tenantId=72f988bf",
        "not_a_join_path",
        id="teams-channel",
    ),
    pytest.param("https://teams.microsoft.com/", "not_a_join_path", id="teams-root"),
    pytest.param(
        "https://teams.microsoft.com/v2/?meetingjoin=true", "not_a_join_path", id="teams-v2-bare"
    ),
    pytest.param(
        "https://teams.microsoft.com/dl/launcher/launcher.html?type=meetup-join",
        "undecodable_wrapper",
        id="teams-launcher-without-url",
    ),
    pytest.param(
        "https://teams.microsoft.com/dl/launcher/launcher.html?url=/_#/l/team/19:x@thread.tacv2/"
        "conversations?groupId=1",
        "not_a_join_path",
        id="teams-launcher-to-team",
    ),
    pytest.param(
        "https://teams.microsoft.com/light-meetings/launch?agent=web&coords=not-base64!",
        "undecodable_wrapper",
        id="teams-light-garbage",
    ),
    pytest.param(
        "https://teams.microsoft.com/light-meetings/launch?coords="
        + coords({"conversationId": TEAMS_RAW_THREAD}),
        "undecodable_wrapper",
        id="teams-light-no-tenant",
    ),
    pytest.param(
        "https://teams.microsoft.com/light-meetings/launch?coords=WzEsMl0",
        "undecodable_wrapper",
        id="teams-light-json-list",
    ),
    pytest.param(
        "https://teams.microsoft.com/light-meetings/launch?agent=web",
        "undecodable_wrapper",
        id="teams-light-no-coords",
    ),
    # Webex paths
    pytest.param("https://acme.webex.com/acme/j.php", "missing_meeting_id", id="jphp-no-mtid"),
    pytest.param(
        "https://acme.webex.com/acme/j.php?MTID=xyz", "missing_meeting_id", id="jphp-bad-mtid"
    ),
    pytest.param("https://acme.webex.com/meet/", "not_a_join_path", id="webex-room-empty"),
    pytest.param(
        "https://acme.webex.com/webappng/sites/acme/dashboard", "not_a_join_path", id="dashboard"
    ),
]


@pytest.mark.parametrize(("raw", "reason"), REJECTED)
def test_normalize_rejects_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidMeetingUrl) as caught:
        normalize_meeting_url(raw)
    assert (caught.value.url, caught.value.reason) == (raw, reason)


def test_rejection_message_does_not_repeat_the_url() -> None:
    raw = "https://zoom.us/s/85123456789?zak=secret-host-token"
    with pytest.raises(InvalidMeetingUrl) as caught:
        normalize_meeting_url(raw)
    assert "secret-host-token" not in str(caught.value)


def test_safelinks_unwrap_stops_after_five_levels() -> None:
    inner = "https://zoom.us/j/123456789"
    assert normalize_meeting_url(nested_safelink(inner, 5)).url == inner


# Pieces that hypothesis combines into URLs that look like join links, so that the
# idempotence property is exercised on accepted URLs and not only on rejections.
HOSTS = [
    "zoom.us",
    "US02WEB.zoom.us",
    "zoomgov.com",
    "meet.google.com",
    "teams.microsoft.com",
    "teams.live.com",
    "acme.webex.com",
    "evilzoom.us",
    "nam12.safelinks.protection.outlook.com",
]
PATHS = [
    "/j/",
    "/w/",
    "/my/",
    "/lookup/",
    "/meet/",
    "/join/",
    "/acme/j.php",
    "/l/meetup-join/19%3ameeting_x%40thread.v2/",
    "/l/meetup-join/",
    "/dl/launcher/launcher.html",
    "/light-meetings/launch",
    "/wbxmjs/joinservice/sites/acme/meeting/download/",
    "/",
]
URL_CHARS = st.characters(codec="ascii", exclude_categories=["Cc"])
url_like = st.builds(
    "{}://{}{}{}{}{}{}".format,
    st.sampled_from(["https", "http", "HTTPS", "tel", ""]),
    st.sampled_from(HOSTS),
    st.sampled_from(PATHS),
    st.from_regex(r"[a-z]{3}-[a-z]{4}-[a-z]{3}|[0-9]{8,17}|[A-Za-z0-9._%-]{0,12}", fullmatch=True),
    st.sampled_from(["", "?pwd=", "?p=", "?context=", "?MTID=m", "?url=", "?coords=", "#"]),
    st.from_regex(r"[A-Za-z0-9.%_-]{0,12}", fullmatch=True),
    st.one_of(st.just(""), st.text(URL_CHARS, max_size=30)),
)

accepted_with_noise = st.builds(
    "{}{}".format,
    st.sampled_from([str(param.values[0]) for param in ACCEPTED]),
    st.text(URL_CHARS, max_size=20),
)


@given(st.one_of(st.text(max_size=300), url_like, accepted_with_noise))
@example(TEAMS_JOIN)
@example(safelink(TEAMS_JOIN))
@example("https://zoom.us/j/123456789?pwd=%")
def test_normalize_only_raises_invalid_url_and_is_idempotent(raw: str) -> None:
    outcome = normalize_or_error(raw)
    if isinstance(outcome, InvalidMeetingUrl):
        assert outcome.url == raw
    else:
        assert outcome.url.startswith("https://")
        assert normalize_meeting_url(outcome.url) == outcome


def normalize_or_error(raw: str) -> NormalizedLink | InvalidMeetingUrl:
    try:
        return normalize_meeting_url(raw)
    except InvalidMeetingUrl as rejected:
        return rejected
