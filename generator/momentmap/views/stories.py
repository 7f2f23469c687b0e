"""Stories worth sharing (SPEC 8.3): the moments marked `share: true`, good and bad,
newest first, each with the opening of its narrative and its learnings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from momentmap.model import Moment, Site
from momentmap.views.insights import tone

OPENING_CHARS = 280  # of the narrative, ending after a sentence or a whole word
STORIES_URL = "stories/"
_STORY_TONES = {"positive": "good", "negative": "bad", "neutral": "mixed"}


@dataclass(frozen=True, slots=True)
class Story:
    moment: Moment
    opening: str  # plain text; the template escapes it

    @property
    def tone(self) -> str:
        """'good', 'bad' or 'mixed', for the mark beside the story."""
        return _STORY_TONES[tone(self.moment)]


def stories(moments: Iterable[Moment]) -> list[Story]:
    shared = [m for m in moments if m.share]
    shared.sort(key=Moment.sort_key, reverse=True)
    return [Story(m, opening(m.text)) for m in shared]


def opening(text: str) -> str:
    """The start of a plain-text narrative, at most OPENING_CHARS long: whole sentences
    when they fill at least half of that, else cut after a whole word with '…'."""
    flat = " ".join(text.split())
    if len(flat) <= OPENING_CHARS:
        return flat
    head = flat[: OPENING_CHARS + 1]
    end = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
    if end >= OPENING_CHARS // 2:
        return head[: end + 1]
    return head.rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def stories_page_variables(site: Site, told: list[Story]) -> dict[str, object]:
    """What stories.html needs: the stories, and the customers and years to filter by."""
    slugs = {s.moment.customer for s in told}
    customers = sorted(
        ((slug, site.customers[slug].name) for slug in slugs), key=lambda c: c[1].casefold()
    )
    years = sorted({s.moment.year for s in told}, reverse=True)
    return {"stories": told, "filter_customers": customers, "years": years}
