"""The live quality/cost benchmark runs its three setups to the end on a tiny crowd (no
figure is asserted: the counts add up and every regular item is done)."""

from __future__ import annotations

from benchmarks.quality_cost import CONFIGS, Options, measure


async def test_the_quality_cost_benchmark_runs_every_setup_to_the_end() -> None:
    results = await measure(Options(seed=1, annotators=8, items=40, gold_share=0.3))

    assert [r.config for r in results] == list(CONFIGS)
    for r in results:
        assert (r.unfinished, r.gave_up) == (0, "")
        assert r.answers == (r.training + r.exam + r.production_gold + r.regular_kept
                             + r.regular_excluded)
        assert r.training > 0 and r.exam > 0  # quality control was on
        assert sum(r.final_answers.values()) == r.regular_items == 28
        assert sum(k * n for k, n in r.final_answers.items()) == r.regular_kept
        assert r.answers_per_regular_item == round(r.answers / r.regular_items, 3)
        assert (r.careless, r.careful) == (2, 6)
        assert len(r.careless_stopped) + len(r.careless_unstopped) == r.careless
        assert 0.0 <= r.accuracy <= 1.0
        assert r.method == ("dawid_skene" if r.config == "defaults" else "majority")
    fixed, adaptive = results[0], results[1]
    assert set(fixed.final_answers) == {3}
    assert set(adaptive.final_answers) <= {2, 3}
    assert (adaptive.min_overlap, adaptive.confidence_target) == (2, 0.9)
