"""Coaching that points to the cure: an agent's own escalations grouped by topic, each group set
beside the team's macros in use for it and the receivers' judgement, in words; and "write a
macro for …" prompts for the lead where many avoidable escalations have no macro. Never a
score: counts of tickets, agents by name.

``topics`` (pure: what a topic is, its words, the prompts' sentences), ``selectors`` (the
month's groups in a fixed number of queries), ``views`` (the macro usage page).
"""
