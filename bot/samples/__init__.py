"""The demo's samples for comparisons and ratings, each with its hidden truth and its judge.

``annobot demo --sample pairwise`` compares synthetic models' responses
(:mod:`bot.samples.pairwise`, prompts in :mod:`bot.samples.prompts`); ``--sample ratings``
rates short reviews on a 1-5 scale (:mod:`bot.samples.ratings`). The default counting sample
is ``bot/sample.py``. Every sample is generated from a seeded ``random.Random`` and goes
through ``parse_items`` like an upload; its judge is how the simulated crowd
(``bot/crowd.py``) reads and answers its tasks.
"""
