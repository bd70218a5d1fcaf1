"""Quality control: training, the qualification exam, hidden gold, scores and rules.

``settings`` (what a project's spec declares), ``scores`` (gold accuracy as a Beta
posterior), ``rules`` (pure checks with thresholds and actions), ``qualification`` (the
training → exam → production state machine), ``agreement`` (leave-one-out agreement with
the crowd's majority) are pure; ``flow`` runs inside the annotator loop's transaction and
``service`` holds the coordinators' use cases (appeals, the annotators list, reviews).
"""
