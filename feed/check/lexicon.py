"""The words the checker reads, in one place: cue phrases, numbers, ordinals, body parts, records.

Every phrase is written folded (lower case, no accents) and matched word by word,
longest first, so "dead heat" wins over "heat" and "did not stop" over "not".
A cue names what a phrase signals; the extraction rules never look at raw words.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = [
    "BODY_PARTS",
    "CITIES",
    "CUES",
    "NUMBER_WORDS",
    "ORDINAL_WORDS",
    "RECORD_WORDS",
    "Cue",
    "phrase_table",
]

Cue: TypeAlias = Literal[
    "win",  # won, took the title, victory
    "champion",  # "is world champion" (a win only with a copula in scope)
    "goes_to",  # "bronze went to", "the photo gives it to"
    "winner",  # "the winner" (a descriptor)
    "beat",  # beat, held off, edged
    "lead",  # led, leads, in front
    "take_lead",  # hit the front, took over
    "pass",  # passed, went past
    "finish",  # finished, crossed the line, clocked
    "stop",  # did not finish, dropped out
    "continue",  # did not stop, kept going
    "dns",  # did not start, withdrew
    "dq",  # disqualified
    "reinstated",
    "protest",
    "upheld",
    "rejected",
    "amend",  # corrected, amended
    "injury",
    "fall",
    "obstruction",
    "photo",  # photo finish, too close to call
    "dead_heat",
    "official",
    "unofficial",
    "under_review",
    "medal_table",
    "tops",  # tops, heads (the medal table)
    "neg",  # not, never, missed
    "modal",  # could, would, hoping: not a statement of fact
    "background",  # semi-final, last year: about something else than this race
    "present",  # is, sits, lies: the state at the entry's moment
    "was",  # a past copula before a correction ("was 3:35.41")
    "record_word",  # "record" alone
    "have",  # has, have (a medal count)
    "medal_word",  # medal, medals
    "last",  # last (place)
    "runner_up",
    "both",
    "by",
    "ahead",  # ahead of, clear of
    "behind",
    "to",  # a range "3:34.10 to 3:34.12"
    "from",  # "from 3:35.41"
    "pace",  # "pushed the pace": a phrase that is no incident
]


def phrase_table(entries: dict[Cue, tuple[str, ...]]) -> dict[tuple[str, ...], Cue]:
    """Phrases (word tuples) -> cue, from a cue -> phrases table."""
    return {tuple(phrase.split()): cue for cue, phrases in entries.items() for phrase in phrases}


CUES: dict[tuple[str, ...], Cue] = phrase_table(
    {
        "win": (
            "won", "wins", "win", "took the title", "takes the title", "claimed the title",
            "claims the title", "took the win", "takes the win", "took victory", "victory",
            "victor", "triumphed", "triumphs", "prevailed", "prevails",
        ),
        "goes_to": ("gives it to", "gave it to", "goes to", "went to", "is given to", "for"),
        "champion": ("champion",),
        "winner": ("winner",),
        "beat": (
            "beat", "beats", "beating", "held off", "holds off", "edged", "edges", "edging",
            "pipped", "pips", "outkicked", "outsprinted", "outleaned", "stuns", "stunned",
            "upsets", "upset", "defeats", "defeated", "downs", "downed", "outran", "outruns",
        ),
        "lead": (
            "led", "leads", "leading", "in front", "at the front", "in the lead", "leader",
            "took them through", "takes them through", "led them through", "leads them through",
            "has taken them through", "taken them through",
            "front-running",
        ),
        "take_lead": (
            "hit the front", "hits the front", "went to the front", "goes to the front",
            "has gone to the front", "gone to the front", "took over", "takes over",
            "has taken over", "taken over", "take over", "took the lead", "takes the lead",
            "moved to the front", "moves to the front", "kicked to the front",
            "went into the lead", "goes into the lead", "moved into the lead",
            "has taken the lead", "taken the lead", "goes straight to the front",
            "went straight to the front", "has moved to the front",
        ),
        "pass": (
            "passed", "passes", "overtook", "overtakes", "went past", "goes past", "came past",
            "comes past", "went by", "goes by", "swept past", "sweeps past", "moved past",
            "moves past",
        ),
        "finish": (
            "finished", "finishes", "finish", "crossed the line", "crosses the line",
            "cross the line",
            "across the line", "came home", "comes home", "hobbled home", "hobbles home",
            "limped home", "limps home", "got to the line", "gets to the line",
            "hobbled over the line", "hobbles over the line", "over the line", "clocked",
            "clocks", "ran", "runs", "stopped the clock", "completed", "crossing the line",
            "clocking", "running", "in a time of", "home in",
        ),
        "stop": (
            "did not finish", "didn't finish", "does not finish", "doesn't finish",
            "failed to finish", "dropped out", "drops out", "pulled out", "pulls out",
            "stepped off the track", "steps off the track", "left the track", "leaves the track",
            "abandoned", "did not get up", "is not getting up", "not getting up",
            "was carried off", "dnf", "out of the race", "stops", "stopped",
        ),
        "continue": (
            "did not stop", "didn't stop", "would not stop", "wouldn't stop", "refused to stop",
            "kept going", "keeps going", "carried on", "carries on", "never stopped",
            "does not stop",
        ),
        "dns": (
            "did not start", "didn't start", "does not start", "non-starter", "withdrew",
            "withdrawn", "scratched", "not on the start line", "late withdrawal", "dns",
        ),
        "dq": ("disqualified", "disqualification", "dq", "dq'd"),
        "reinstated": ("reinstated", "reinstatement", "restored to the results"),
        "protest": ("protest", "protested", "protests", "appeal", "appealed", "lodged a protest"),
        "upheld": ("upheld", "was upheld", "successful"),
        "rejected": ("rejected", "dismissed", "denied", "thrown out", "unsuccessful"),
        "amend": ("corrected", "correction", "amended", "amendment", "revised", "changed to"),
        "injury": (
            "injury", "injured", "pulled up", "pulls up", "tore", "torn", "tear", "tears",
            "strain", "strained", "hurt", "clutching", "limping", "limped", "hobbling", "hobbled",
            "hobbles", "hopped", "hopping", "in trouble", "something has gone",
            "something went",
        ),
        "fall": (
            "fell", "falls", "went down", "goes down", "is down", "tripped", "trips",
            "hit the track", "clipped heels", "fall",
        ),
        "obstruction": (
            "impeded", "obstructed", "is impeded", "jostled", "jostling", "pushed", "barged",
            "knocked off", "boxed in", "collide", "collided",
        ),
        "pace": ("pushed the pace", "pushes the pace", "pushing the pace", "set the pace",
                 "sets the pace", "forced the pace", "forces the pace"),
        "photo": ("photo finish", "photo", "too close to call", "photo-finish"),
        "dead_heat": (
            "dead heat", "dead-heat", "dead-heats", "dead-heated", "dead heated",
            "could not be separated", "cannot be separated", "cannot separate", "cannot split",
            "could not separate", "could not split",
        ),
        "official": ("official", "made official", "confirmed", "ratified"),
        "unofficial": ("unofficial", "provisional"),
        "under_review": ("under review",),
        "medal_table": ("medal table", "medals table", "medal standings"),
        "tops": ("tops", "top", "topped", "heads", "headed", "lead the", "leads the"),
        "neg": (
            "not", "n't", "never", "no", "without", "failed to", "missed", "missing",
            "short of", "outside the", "outside his", "rather than", "instead of", "nor",
        ),
        "modal": (
            "could", "would", "might", "may", "hoping", "hopes", "hope", "expected", "expects",
            "favourite", "favorite", "bid", "tried", "trying", "aims", "set to", "should",
            "if", "threatened", "almost", "nearly", "looked like",
        ),
        "background": (
            "semi-final", "semi-finals", "semifinal", "semifinals", "semi", "semis", "heat",
            "heats", "qualifying", "qualifier", "last year", "years ago", "year ago",
            "previously", "previous", "career", "earlier this season", "this season", "since",
            "former", "reigning", "defending", "two years", "three years", "four years",
            "coming into", "before the championships", "last time", "again", "history",
            "all-time", "born", "title defence",
            "last summer", "in his heat", "at the last",
        ),
        "present": (
            "is", "are", "sits", "sit", "lies", "lie", "is tucked", "tucked", "remains",
            "still", "is now", "now",
        ),
        "was": ("was", "were"),
        "from": ("from",),
        "record_word": ("record",),
        "have": ("has", "have", "had"),
        "medal_word": ("medal", "medals"),
        "last": ("last", "in last", "last place"),
        "runner_up": ("runner-up", "runner up", "runners-up"),
        "both": ("both", "each"),
        "by": ("by",),
        "ahead": ("ahead of", "clear of", "in front of"),
        "behind": ("behind", "back", "adrift", "down on"),
        "to": ("to",),
    }
)  # fmt: skip

NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip

ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}  # fmt: skip

# Body parts people name in injury reports; the feed's detail is matched against the same.
BODY_PARTS: tuple[str, ...] = (
    "calf", "hamstring", "achilles", "ankle", "knee", "hip", "foot", "groin", "quad",
    "quadriceps", "thigh", "back", "shin", "heel", "toe", "glute", "adductor", "hamstrings",
    "calves",
)  # fmt: skip

# Record phrases -> record kind; "national"/"<nation> record" is NR, resolved by nation.
RECORD_WORDS: dict[tuple[str, ...], str] = {
    ("personal", "best"): "PB", ("personal", "record"): "PB", ("pb",): "PB",
    ("lifetime", "best"): "PB", ("season's", "best"): "SB", ("seasons", "best"): "SB",
    ("season", "best"): "SB", ("sb",): "SB", ("national", "record"): "NR", ("nr",): "NR",
    ("championship", "record"): "CR", ("championships", "record"): "CR", ("cr",): "CR",
    ("meeting", "record"): "CR", ("olympic", "record"): "CR", ("games", "record"): "CR",
    ("world", "lead"): "WL", ("world-leading",): "WL", ("world", "leading"): "WL",
    ("wl",): "WL", ("world", "record"): "WR", ("wr",): "WR",
}  # fmt: skip

# Cities where championships are held, beyond those the feed names itself.
CITIES: tuple[str, ...] = (
    "Tokyo", "Budapest", "Eugene", "Oregon", "Doha", "London", "Beijing", "Moscow", "Daegu",
    "Berlin", "Osaka", "Helsinki", "Paris", "Rio", "Rio de Janeiro", "Rome", "Athens",
    "Seville", "Edmonton", "Sydney", "Atlanta", "Los Angeles", "Gothenburg", "Stuttgart",
    "Glasgow", "Nanjing", "Belgrade", "Birmingham", "Munich", "Zurich", "Brisbane",
)  # fmt: skip
