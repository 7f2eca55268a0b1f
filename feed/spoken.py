"""How commentary names things: a race as commentators say it, athletes by surname.

Athletes are named by surname unless two in the race share it; then by full name.
"""

from __future__ import annotations

from feed.events import RaceInfo

__all__ = ["race_phrase", "spoken_names"]


def race_phrase(info: RaceInfo) -> str:
    """How a line names a race: ``"men's 1500 m final"`` from its event and round."""
    words = " ".join(part for part in (info.event, info.round) if part) or info.title
    return words.replace(" metres", " m").lower()


def spoken_names(names: dict[str, str]) -> dict[str, str]:
    """Surname for each athlete (the last word), or the full name where a surname is shared."""
    surnames = {athlete: (name.split() or [athlete])[-1] for athlete, name in names.items()}
    counts: dict[str, int] = {}
    for surname in surnames.values():
        counts[surname.casefold()] = counts.get(surname.casefold(), 0) + 1
    return {
        athlete: surname if counts[surname.casefold()] == 1 else names[athlete]
        for athlete, surname in surnames.items()
    }
