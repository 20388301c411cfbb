"""The matching benchmark's population and numpy reference: the same volunteers, the same answers as the index."""

from __future__ import annotations

import collections

import numpy as np

from bench.candidates import MAX_OPEN_COMMITMENTS, TODAY, build_population, load_index, query_tasks
from bench.generator import generate_region


def test_the_reference_finds_the_same_top_scores_as_the_candidate_index() -> None:
    region = generate_region(seed=5, volunteers=1_500)
    population = build_population(region, 6_000, seed=5)
    index, _ = load_index(population)
    tasks = query_tasks(region, 12)
    assert len(tasks) == 12
    for task in tasks:
        expected = [
            score for _, score, _ in index.top(task, 20, today=TODAY, max_open_commitments=MAX_OPEN_COMMITMENTS)
        ]
        rows, scores = population.reference_top(task, 20)
        assert scores.tolist() == sorted(scores.tolist(), reverse=True)
        assert np.allclose(scores, expected, atol=1e-4), task.task_id
        assert all(population.profiles[row].centrale_id == task.centrale_id for row in rows)


def test_the_population_keeps_the_regions_distributions_with_its_own_ids() -> None:
    region = generate_region(seed=5, volunteers=1_000)
    population = build_population(region, 4_000, seed=9)
    assert len({profile.volunteer_id for profile in population.profiles}) == 4_000
    bands = collections.Counter(profile.centrale_id for profile in population.profiles)
    assert bands == collections.Counter(
        {c: 4 * n for c, n in collections.Counter(v.centrale_id for v in region.volunteers).items()}
    )
    consenting = sum(profile.matching_consent for profile in population.profiles) / 4_000
    assert 0.92 < consenting < 0.98
    assert population.arrays["lat"].shape == (4_000,)
    again = build_population(region, 4_000, seed=9)
    assert [p.volunteer_id for p in again.profiles] == [p.volunteer_id for p in population.profiles]
