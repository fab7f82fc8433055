"""The sync: every completed recording copied once, before Sendbird deletes it.

What the scheduled function runs, and nothing else (its archive is this package plus the foundations):
``run`` (one application's run), ``discovery`` and ``horizon`` (what to look at, and why that misses
nothing), ``ledger``, ``state`` and ``lease`` (what the bucket remembers), ``limiter`` (Sendbird's rate
ceiling), ``status`` (where every recording stands) and ``handler`` (the Lambda entry point). Never
imports click, tqdm, ``checks`` or ``cli``.
"""
