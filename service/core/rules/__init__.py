"""Recording rules: which calendar meetings get a bot, decided purely, each with a reason.

``decide(facts, rules)`` walks one fixed table (``evaluation.STEPS``); the first step that
fires decides. If none fires the meeting is recorded with ``reason=None``.

====  =====================  =======  =========================================================
 #    reason                 record   fires when (config key)
====  =====================  =======  =========================================================
 1    cancelled              no       the event is cancelled
 2    all_day                no       the event is all-day
 3    no_join_url            no       there is no join link
 4    ended                  no       the meeting is over
 5    manual_record          yes      override is ``record``
 6    manual_skip            no       override is ``skip``
 7    never_record           no       a person on ``never_record`` attends or organizes
 8    always_record          yes      a person on ``always_record`` attends or organizes
 9    internal_meeting       no       ``mode: external_only`` and nobody is outside
                                      ``company_domains``
 10   external_meeting       no       ``mode: internal_only`` and somebody is outside them
 11   organizer_not_member   no       ``require_company_organizer`` and the organizer is
                                      unknown or outside ``company_domains``
 12   too_few_attendees      no       headcount < ``min_attendees``
 13   too_many_attendees     no       headcount > ``max_attendees``
 14   title_keyword          no       the title contains one of ``skip_title_keywords``
 15   declined               no       ``skip_declined`` and the owner's PARTSTAT is DECLINED
 16   tentative              no       ``skip_tentative`` and the owner's PARTSTAT is TENTATIVE
 17   tentative_event        no       ``skip_tentative_events`` and the event's STATUS is
                                      TENTATIVE
====  =====================  =======  =========================================================

So: structural reasons (1-4) beat everything, and a manual "record" cannot book a bot for
a cancelled, all-day, link-less or finished meeting. A manual override beats every rule;
do-not-record beats always-record; always-record beats every filter below it.

How facts are read:

- People are the organizer and the attendees. Emails are compared lower-cased, after
  dropping a ``mailto:`` prefix. A list entry is either an email (exact match) or a domain
  (``acme.com`` or ``@acme.com``), which matches that host and its subdomains at a dot
  boundary: ``x@sales.acme.com`` yes; ``x@notacme.com`` and ``x@acme.com.evil.net`` never.
- An attendee with no usable email is ignored by every domain and list rule but counts
  towards the headcount. The headcount is the number of distinct people (organizer
  included, whatever their reply); the calendar owner is not added unless listed.
- ``never_record`` and ``always_record`` look at who is invited, whatever their reply.
- Only the owner's own PARTSTAT (the attendee whose email is ``owner_email``) matters for
  ``skip_declined`` / ``skip_tentative``; someone else declining changes nothing.
- Title keywords match case-insensitively, with runs of spaces folded, as whole words: a
  letter or digit at either end of the keyword must not run on into a letter or digit of the
  title. "private" matches "Private sync" and "private-ish" but not "privateer"; "1:1"
  matches "Weekly 1:1 with Sam"; "[no record]" matches "Sync [No Record]". List plural
  forms separately ("1:1s").
"""

from __future__ import annotations

from service.core.rules.decision import Decision, Reason, explain
from service.core.rules.evaluation import decide
from service.core.rules.facts import AttendeeFact, MeetingFacts, Override
from service.core.rules.settings import Mode, RecordingRules

__all__ = [
    "AttendeeFact",
    "Decision",
    "MeetingFacts",
    "Mode",
    "Override",
    "Reason",
    "RecordingRules",
    "decide",
    "explain",
]
