"""Choosing an event's join link with `extract_join_url`, on invitation texts and real feeds."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.core.meeting_links import LinkField, NormalizedLink, extract_join_url
from service.core.model import Platform

# The shared real-world calendars live next to the repository, not inside it.
ICS_DIR = Path(__file__).resolve().parents[1] / "data" / "ics"

TEAMS_THREAD = "19%3ameeting_ZGQ1MzYxNWYtYjU2Ny00YTRiLWFlOTctZjU0NGJiYjgxMGYw%40thread.v2"
TEAMS_CONTEXT = (
    "%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c"
    "%22Oid%22%3a%22c0b6b9b5-1a34-4a0e-9b0e-2f6a2ef3c9c1%22%7d"
)
TEAMS_JOIN = f"https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0?context={TEAMS_CONTEXT}"
ZOOM_JOIN = "https://us02web.zoom.us/j/85123456789?pwd=dGhpc2lzYXRlc3QuMQ.1"
MEET_JOIN = "https://meet.google.com/xyz-abcd-efg"

OUTLOOK_TEAMS_TEXT = f"""\
________________________________________________________________________________
Microsoft Teams meeting
Join on your computer, mobile app or room device
Click here to join the meeting<{TEAMS_JOIN}>
Meeting ID: 245 913 384 123
Passcode: aB3cD4
Download Teams<https://www.microsoft.com/en-us/microsoft-teams/download-app> | \
Join on the web<https://www.microsoft.com/microsoft-teams/join-a-meeting>
Or call in (audio only)
+1 323-849-4874,,123456789#<tel:+13238494874,,123456789#>   United States, Los Angeles
Phone Conference ID: 123 456 789#
Find a local number<https://dialin.teams.microsoft.com/8551f4c1-bea3-441a-8738-69aa517a91c5\
?id=123456789> | Reset PIN<https://dialin.teams.microsoft.com/usp/pstnconferencing>
Learn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft.com/\
meetingOptions/?organizerId=c0b6b9b5-1a34-4a0e-9b0e-2f6a2ef3c9c1&tenantId=72f988bf-86f1-41af-\
91ab-2d7cd011db47&threadId=19_meeting_ZGQ1MzYxNWYtYjU2Ny00YTRiLWFlOTctZjU0NGJiYjgxMGYw@thread.v2\
&messageId=0&language=en-US>
________________________________________________________________________________
"""

OUTLOOK_TEAMS_SHORT_TEXT = """\
Microsoft Teams Need help?<https://aka.ms/JoinTeamsMeeting?omkt=en-US>
Join the meeting now<https://teams.microsoft.com/meet/2459133841234?p=aB3cD4eF5gH6iJ7kL>>
Meeting ID: 245 913 384 123
Passcode: aB3cD4
"""

ZOOM_INVITATION = f"""\
Jane Doe is inviting you to a scheduled Zoom meeting.

Topic: Weekly sync
Time: Mar 3, 2025 10:00 AM Pacific Time (US and Canada)

Join Zoom Meeting
{ZOOM_JOIN}

View meeting insights with Zoom AI Companion
https://us02web.zoom.us/launch/edl?muid=7a2c1f0e-5d3b-4a8f-9c61-2f0b7e4d1a9c

Meeting ID: 851 2345 6789
Passcode: 123456

---

One tap mobile
+16469313860,,85123456789#,,,,*123456# US (New York)
tel:+16469313860,,85123456789#,,,,*123456#
+16694449171,,85123456789#,,,,*123456# US

---

Dial by your location
• +1 646 931 3860 US (New York)
• +1 669 444 9171 US

Meeting ID: 851 2345 6789
Passcode: 123456

Find your local number: https://us02web.zoom.us/u/kdXyZ1aBc

Join by SIP
• 85123456789@zoomcrc.com
"""

GOOGLE_DESCRIPTION = f"""\
Quarterly planning.

-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-
Join with Google Meet: {MEET_JOIN}

Join by phone
(US) +1 484-734-1234 PIN: 123456789#

More phone numbers: https://tel.meet/xyz-abcd-efg?pin=3178523123456

Learn more about Meet at: https://support.google.com/a/users/answer/9282720

Please do not edit this section.
-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-"""

GOOGLE_PHONE_ONLY = """\
Join by phone
(US) +1 484-734-1234 PIN: 123456789#
More phone numbers: https://tel.meet/xyz-abcd-efg?pin=3178523123456
Learn more about Meet at: https://support.google.com/a/users/answer/9282720"""

# rie__issue_48_daylight_aware_repeats.ics, DESCRIPTION unfolded by hand.
RIE_48_DESCRIPTION = (
    '<p><a href="https://videoconf-colibri.zoom.us/j/93800310242?pwd'
    '=K3FBUVJUV2hrTm1OR2RWb0ZabTJkZz09" target="_blank">https://videoconf-colibr'
    "i.zoom.us/j/93800310242?pwd=K3FBUVJUV2hrTm1OR2RWb0ZabTJkZz09</a></p>"
)
RIE_48_JOIN = "https://videoconf-colibri.zoom.us/j/93800310242?pwd=K3FBUVJUV2hrTm1OR2RWb0ZabTJkZz09"

SAFELINK_TEAMS = (
    "https://nam12.safelinks.protection.outlook.com/?url=" + quote(TEAMS_JOIN, safe="") + "&amp;"
    "data=05%7C02%7Cjane%40contoso.com%7C8d1f%7C72f988bf%7C0%7C0%7C638&amp;sdata=Zm9v%3D"
    "&amp;reserved=0"
)
OUTLOOK_HTML = f"""\
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body><div style="font-family:Segoe UI"><span>Microsoft Teams meeting</span><br>
<a href="{SAFELINK_TEAMS}" target="_blank" rel="noreferrer noopener" \
title="Meeting join link">Click here to join the meeting</a><br>
<a href="https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Faka.ms%2F\
JoinTeamsMeeting&amp;data=05%7C02&amp;reserved=0">Learn More</a> |
<a href="https://teams.microsoft.com/meetingOptions/?organizerId=c0b6&amp;tenantId=72f9">\
Meeting options</a></div></body></html>"""

WEBEX_API_JOIN = (
    "https://acme.webex.com/wbxmjs/joinservice/sites/acme/meeting/download/8c2f6b1e4a"
    "?siteurl=acme&MTID=m5f4bdc2a0ef8e5b4c9dd61f80b7e0a31&token=QUhTSwAAAIU"
)


def teams(url: str) -> NormalizedLink:
    return NormalizedLink(platform=Platform.MICROSOFT_TEAMS, url=url)


def zoom(url: str) -> NormalizedLink:
    return NormalizedLink(platform=Platform.ZOOM, url=url)


def meet(url: str) -> NormalizedLink:
    return NormalizedLink(platform=Platform.GOOGLE_MEET, url=url)


def webex(url: str) -> NormalizedLink:
    return NormalizedLink(platform=Platform.WEBEX, url=url)


BODIES = [
    pytest.param("DESCRIPTION", OUTLOOK_TEAMS_TEXT, teams(TEAMS_JOIN), id="outlook-plain-teams"),
    pytest.param(
        "DESCRIPTION",
        OUTLOOK_TEAMS_SHORT_TEXT,
        teams("https://teams.microsoft.com/meet/2459133841234?p=aB3cD4eF5gH6iJ7kL"),
        id="outlook-plain-teams-short-stray-angle",
    ),
    pytest.param("DESCRIPTION", ZOOM_INVITATION, zoom(ZOOM_JOIN), id="zoom-invitation"),
    pytest.param(
        "DESCRIPTION",
        "Find your local number: https://us02web.zoom.us/u/kdXyZ1aBc\n" + ZOOM_INVITATION,
        zoom(ZOOM_JOIN),
        id="zoom-dial-in-page-first",
    ),
    pytest.param(
        "DESCRIPTION",
        "Host: start with https://zoom.us/s/85123456789?zak=eyJ0eXAi then "
        "join via https://zoom.us/j/85123456789.",
        zoom("https://zoom.us/j/85123456789"),
        id="zoom-start-link-skipped",
    ),
    pytest.param("DESCRIPTION", GOOGLE_DESCRIPTION, meet(MEET_JOIN), id="google-description"),
    pytest.param("DESCRIPTION", GOOGLE_PHONE_ONLY, None, id="google-phone-only"),
    pytest.param("DESCRIPTION", RIE_48_DESCRIPTION, zoom(RIE_48_JOIN), id="rie-48-html-href"),
    pytest.param("X-ALT-DESC", OUTLOOK_HTML, teams(TEAMS_JOIN), id="outlook-html-safelinks"),
    pytest.param(
        "X-ALT-DESC",
        '<p>Webinar: <a href="https://zoom.us/w/98765432101?tk=ZkPq.DQkAAA&amp;pwd=AbC9.1">'
        "Register</a></p>",
        zoom("https://zoom.us/w/98765432101?pwd=AbC9.1&tk=ZkPq.DQkAAA"),
        id="html-amp-before-pwd",
    ),
    pytest.param(
        "X-ALT-DESC",
        f"<a href='{WEBEX_API_JOIN.replace('&', '&amp;')}'>Join meeting</a>",
        webex(WEBEX_API_JOIN),
        id="html-single-quoted-href-webex",
    ),
    pytest.param(
        "X-ALT-DESC",
        "<div>Join: &lt;https://meet.google.com/abc-defg-hij&gt;&nbsp;or call</div>",
        meet("https://meet.google.com/abc-defg-hij"),
        id="html-escaped-angle-brackets",
    ),
    pytest.param(
        "X-ALT-DESC",
        '<a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context='
        '{&quot;Tid&quot;:&quot;72f988bf&quot;}">Join</a>',
        teams(
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0"
            '?context={"Tid":"72f988bf"}'
        ),
        id="html-href-with-quoted-json",
    ),
    pytest.param(
        "DESCRIPTION",
        '<br>Join: <a href="https://www.google.com/url?q=https%3A%2F%2Facme.webex.com%2Fmeet%2F'
        'jdoe&amp;sa=D&amp;source=calendar&amp;usg=AOvVaw0">https://acme.webex.com/meet/jdoe</a>',
        webex("https://acme.webex.com/meet/jdoe"),
        id="google-html-redirect-href",
    ),
    pytest.param(
        "DESCRIPTION",
        "Join (https://meet.google.com/abc-defg-hij), or dial in.",
        meet("https://meet.google.com/abc-defg-hij"),
        id="trailing-punctuation",
    ),
    pytest.param(
        "DESCRIPTION",
        "Link: \"https://acme.webex.com/meet/jdoe\" or 'https://zoom.us/j/123456789'",
        webex("https://acme.webex.com/meet/jdoe"),
        id="quoted-links",
    ),
    pytest.param(
        "DESCRIPTION",
        "Evil: https://zoom.us.evil.com/j/123456789 https://evilzoom.us/j/123456789 "
        "https://meet.google.com.attacker.net/abc-defg-hij https://meet-google.com/abc-defg-hij "
        "https://teams.microsoft.com@evil.com/meet/1234567890?p=x "
        "https://webex.com.evil.com/meet/x "
        "https://z\u043e\u043em.us/j/123456789",
        None,
        id="only-lookalikes",
    ),
    pytest.param("LOCATION", "Microsoft Teams Meeting", None, id="location-text-only"),
    pytest.param("LOCATION", "Zoom", None, id="location-zoom-word"),
    pytest.param("URL", "tel:+16469313860,,85123456789#", None, id="url-tel"),
    pytest.param("URL", "https://example.com/", None, id="url-web-page"),
    pytest.param(
        "LOCATION",
        "Room 4.12; https://acme.webex.com/acme/j.php?MTID=m5f4bdc2a0ef8e5b4c9dd61f80b7e0a31",
        webex("https://acme.webex.com/acme/j.php?MTID=m5f4bdc2a0ef8e5b4c9dd61f80b7e0a31"),
        id="location-webex-scheduled",
    ),
    pytest.param(
        "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
        "http://acme.webex.com/meet/jdoe",
        None,
        id="external-link-http-refused",
    ),
    pytest.param(
        "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
        "https://acme.webex.com/meet/jdoe",
        webex("https://acme.webex.com/meet/jdoe"),
        id="external-link-https",
    ),
    pytest.param(
        "X-MICROSOFT-ONLINEMEETINGCONFLINK",
        "conf:sip:jane@contoso.com;gruu;opaque=app:conf:focus:id:ABCD1234",
        None,
        id="conf-link-never-used",
    ),
    pytest.param(
        "X-MICROSOFT-SCHEDULINGSERVICEUPDATEURL", TEAMS_JOIN, None, id="update-url-never-used"
    ),
    pytest.param(
        "X-MICROSOFT-SKYPETEAMSPROPERTIES",
        f'{{"cid":"{TEAMS_THREAD}","joinUrl":"{TEAMS_JOIN}"}}',
        None,
        id="teams-properties-never-used",
    ),
    pytest.param(
        "X-MICROSOFT-LOCATIONS", f'[{{"Uri":"{TEAMS_JOIN}"}}]', None, id="locations-never-used"
    ),
    pytest.param("X-UNKNOWN", ZOOM_JOIN, None, id="unknown-property"),
    pytest.param("description", MEET_JOIN, meet(MEET_JOIN), id="lower-case-name"),
]


@pytest.mark.parametrize(("name", "value", "expected"), BODIES)
def test_extract_finds_join_link_in_body(
    name: str, value: str, expected: NormalizedLink | None
) -> None:
    assert extract_join_url([LinkField(name=name, value=value)]) == expected


PRIORITIES = [
    pytest.param(
        [
            LinkField(name="DESCRIPTION", value=ZOOM_INVITATION),
            LinkField(name="X-GOOGLE-CONFERENCE", value=MEET_JOIN),
        ],
        meet(MEET_JOIN),
        id="google-conference-beats-zoom-in-description",
    ),
    pytest.param(
        [
            LinkField(name="X-GOOGLE-CONFERENCE", value="https://meet.google.com/xxx"),
            LinkField(name="DESCRIPTION", value=ZOOM_INVITATION),
        ],
        zoom(ZOOM_JOIN),
        id="invalid-conference-falls-through",
    ),
    pytest.param(
        [
            LinkField(name="LOCATION", value="Microsoft Teams Meeting"),
            LinkField(name="DESCRIPTION", value=OUTLOOK_TEAMS_TEXT),
            LinkField(name="X-ALT-DESC", value=OUTLOOK_HTML.replace(TEAMS_THREAD, "19%3aother")),
        ],
        teams(TEAMS_JOIN),
        id="location-text-falls-through-to-description",
    ),
    pytest.param(
        [
            LinkField(name="DESCRIPTION", value="Moved to LibreOffice, see desc."),
            LinkField(name="X-ALT-DESC", value=OUTLOOK_HTML),
        ],
        teams(TEAMS_JOIN),
        id="html-body-is-last-resort",
    ),
    pytest.param(
        [
            LinkField(name="DESCRIPTION", value=GOOGLE_DESCRIPTION),
            LinkField(name="LOCATION", value="https://us02web.zoom.us/j/85123456789"),
        ],
        zoom("https://us02web.zoom.us/j/85123456789"),
        id="location-beats-description",
    ),
    pytest.param(
        [
            LinkField(name="LOCATION", value="https://acme.webex.com/meet/jdoe"),
            LinkField(name="X-MICROSOFT-SKYPETEAMSMEETINGURL", value=TEAMS_JOIN),
        ],
        teams(TEAMS_JOIN),
        id="teams-property-beats-location",
    ),
    pytest.param(
        [
            LinkField(name="URL", value="tel:+16469313860,,85123456789#"),
            LinkField(name="LOCATION", value="Conference room B"),
            LinkField(name="DESCRIPTION", value=GOOGLE_DESCRIPTION),
        ],
        meet(MEET_JOIN),
        id="tel-url-falls-through",
    ),
    pytest.param(
        [
            LinkField(
                name="X-MICROSOFT-ONLINEMEETINGEXTERNALLINK", value="http://zoom.us/j/1234567890"
            ),
            LinkField(name="LOCATION", value="https://acme.webex.com/meet/jdoe"),
        ],
        webex("https://acme.webex.com/meet/jdoe"),
        id="http-external-link-falls-through",
    ),
    pytest.param(
        [
            LinkField(name="X-MICROSOFT-ONLINEMEETINGCONFLINK", value=TEAMS_JOIN),
            LinkField(name="DESCRIPTION", value=ZOOM_INVITATION),
        ],
        zoom(ZOOM_JOIN),
        id="conf-link-ignored",
    ),
    pytest.param(
        [
            LinkField(name="CONFERENCE", value="https://zoom.us/j/111111111", feature="AUDIO"),
            LinkField(name="CONFERENCE", value=MEET_JOIN, feature="AUDIO, video"),
        ],
        meet(MEET_JOIN),
        id="conference-video-preferred",
    ),
    pytest.param(
        [
            LinkField(name="CONFERENCE", value="tel:+1-412-555-0123,,,555123", feature="PHONE"),
            LinkField(name="CONFERENCE", value="https://zoom.us/j/111111111", feature="CHAT"),
            LinkField(name="LOCATION", value="https://acme.webex.com/meet/jdoe"),
        ],
        zoom("https://zoom.us/j/111111111"),
        id="conference-without-video-still-used",
    ),
    pytest.param(
        [
            LinkField(name="X-ALT-DESC", value=OUTLOOK_HTML),
            LinkField(name="CONFERENCE", value=MEET_JOIN, feature="VIDEO"),
        ],
        meet(MEET_JOIN),
        id="conference-beats-html",
    ),
    pytest.param([], None, id="no-fields"),
]


@pytest.mark.parametrize(("given_fields", "expected"), PRIORITIES)
def test_extract_walks_priority_order(
    given_fields: list[LinkField], expected: NormalizedLink | None
) -> None:
    assert extract_join_url(given_fields) == expected


TIE_BREAKS = [
    pytest.param(
        "Short: https://us02web.zoom.us/j/85123456789\nFull: " + ZOOM_JOIN,
        zoom(ZOOM_JOIN),
        id="longer-twin-later",
    ),
    pytest.param(
        "https://zoom.us/j/85123456789 or " + ZOOM_JOIN,
        zoom(ZOOM_JOIN),
        id="longer-twin-other-zoom-host",
    ),
    pytest.param(
        "First: https://zoom.us/j/111111111 Other: " + ZOOM_JOIN,
        zoom("https://zoom.us/j/111111111"),
        id="longer-other-meeting-ignored",
    ),
    pytest.param(
        ZOOM_JOIN + " then https://us02web.zoom.us/j/85123456789?pwd=x",
        zoom(ZOOM_JOIN),
        id="shorter-twin-ignored",
    ),
    pytest.param(
        "https://teams.microsoft.com/meet/2459133841234?p=aB3 "
        "https://teams.microsoft.com/meet/2459133841234?p=aB3cD4eF5",
        teams("https://teams.microsoft.com/meet/2459133841234?p=aB3cD4eF5"),
        id="teams-short-longer-passcode",
    ),
    pytest.param(
        f"{TEAMS_JOIN} https://teams.microsoft.com/l/meetup-join/{TEAMS_THREAD}/0"
        "?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%7d",
        teams(TEAMS_JOIN),
        id="teams-meetup-join-fuller-context-first",
    ),
    pytest.param(
        "https://acme.webex.com/acme/j.php?MTID=m11111111 "
        "https://acme.webex.com/acme/j.php?MTID=m2222222222222222",
        webex("https://acme.webex.com/acme/j.php?MTID=m11111111"),
        id="webex-other-mtid-is-other-meeting",
    ),
    pytest.param(
        "https://meet.google.com/abc-defg-hij?authuser=0 https://meet.google.com/abc-defg-hij",
        meet("https://meet.google.com/abc-defg-hij"),
        id="meet-same-after-normalizing",
    ),
]


@pytest.mark.parametrize(("description", "expected"), TIE_BREAKS)
def test_extract_prefers_longer_url_for_same_meeting(
    description: str, expected: NormalizedLink
) -> None:
    assert extract_join_url([LinkField(name="DESCRIPTION", value=description)]) == expected


def test_extract_tie_break_spans_fields_of_one_level() -> None:
    found = extract_join_url(
        [
            LinkField(name="LOCATION", value="https://us02web.zoom.us/j/85123456789"),
            LinkField(name="URL", value=ZOOM_JOIN),
            LinkField(name="DESCRIPTION", value=ZOOM_JOIN + "&tk=registrant-token-is-longer"),
        ]
    )
    assert found == zoom(ZOOM_JOIN)


def ics_events(filename: str) -> list[icalendar.Component]:
    calendar = icalendar.Calendar.from_ical((ICS_DIR / filename).read_bytes())
    return list(calendar.walk("VEVENT"))


def link_fields(event: icalendar.Component) -> list[LinkField]:
    """Every property of an event as decoded text, as a calendar source would pass it."""
    found: list[LinkField] = []
    for name, value in event.property_items(recursive=False):
        feature = getattr(value, "params", {}).get("FEATURE", "")
        if isinstance(feature, list):
            feature = ",".join(feature)
        found.append(LinkField(name=name, value=str(value), feature=str(feature)))
    return found


def test_rie_48_vanity_zoom_link_in_folded_html_href() -> None:
    folded = (ICS_DIR / "rie__issue_48_daylight_aware_repeats.ics").read_text()
    assert RIE_48_JOIN not in folded  # a regex on the raw file would miss the passcode
    events = ics_events("rie__issue_48_daylight_aware_repeats.ics")
    links = {extract_join_url(link_fields(event)) for event in events}
    assert links == {zoom(RIE_48_JOIN)}


def test_rie_173_anonymised_meet_code_is_rejected() -> None:
    events = ics_events("rie__issue_173_only_modifications_error.ics")
    with_conference = [e for e in events if "X-GOOGLE-CONFERENCE" in e]
    assert len(with_conference) == 23
    assert {str(e["X-GOOGLE-CONFERENCE"]) for e in with_conference} == {
        "https://meet.google.com/xxx"
    }
    assert [extract_join_url(link_fields(e)) for e in events] == [None] * len(events)


@pytest.mark.parametrize(
    "filename",
    ["icalevents__multi_exdate_same_line_ms.ics", "icalevents__recurr_id_dtstart_missmatch.ics"],
)
def test_exchange_location_text_without_url_gives_no_link(filename: str) -> None:
    events = ics_events(filename)
    assert any(str(e.get("LOCATION")) == "Microsoft Teams Meeting" for e in events)
    assert {extract_join_url(link_fields(e)) for e in events} == {None}


def test_rfc_7986_conference_entries_without_supported_link() -> None:
    (event,) = ics_events("icalendar__rfc_7986_conferences.ics")
    conference = [f for f in link_fields(event) if f.name == "CONFERENCE"]
    assert [f.feature for f in conference][-1] == "AUDIO,VIDEO"
    assert extract_join_url(link_fields(event)) is None


@pytest.mark.parametrize("name", ["DESCRIPTION", "X-ALT-DESC"])
def test_extract_scans_large_adversarial_body_quickly(name: str) -> None:
    body = (
        '<a href="https://zoom.us/j/1' * 2000
        + "https://evilzoom.us/j/123456789 " * 5000
        + "<b"
        + "x" * 200_000
        + ZOOM_JOIN
    )
    started = time.perf_counter()
    found = extract_join_url([LinkField(name=name, value=body)])
    assert time.perf_counter() - started < 5.0
    assert found == zoom(ZOOM_JOIN)


@given(st.lists(st.tuples(st.sampled_from(["DESCRIPTION", "X-ALT-DESC", "URL"]), st.text())))
def test_extract_never_raises(pairs: list[tuple[str, str]]) -> None:
    found = extract_join_url([LinkField(name=name, value=value) for name, value in pairs])
    assert found is None or found.url.startswith("https://")
