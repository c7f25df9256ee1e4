"""The dispatch state machine of a meeting, on its way to exactly one bot.

``states``: every state, every event and the table of allowed transitions; ``claims``: the
values a claim pass hands out; ``decisions``: the pure rules the store applies before it
writes; ``writes``: what it then writes, field by field, for both stores; ``notes``: the
lines a meeting's story gets. (Nothing is re-exported here: ``core.model`` imports ``states``
while ``claims`` imports ``core.model``.)
"""
