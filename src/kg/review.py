"""Review of drafts: claims that `kg extract` proposed and no one has checked yet."""

from __future__ import annotations

from kg.datafiles import CuratedData
from kg.errors import Problem


def check_reviewed(data: CuratedData, problems: list[Problem]) -> None:
    """Every claim still marked `review: candidate` is a problem naming its file and id."""
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        for claim in facts.claims:
            if claim.review is not None:
                problems.append(Problem(
                    file, claim.id,
                    f"unreviewed candidate (review: {claim.review}): check it against the "
                    f"source, edit or delete it, then delete its 'review' line",
                ))
