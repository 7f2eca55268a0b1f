"""How English text names nations: country names, adjectives and people, by World Athletics code.

The feed carries a nation code per athlete (``POR``); people write "Portugal",
"Portuguese", "the Portuguese", "a Briton", "the Dutchman". This table is the
vocabulary the checker reads those with. A code missing here is still read when
written as the code itself.
"""

from __future__ import annotations

__all__ = ["NATION_WORDS", "nation_words"]

# code: (country names, adjectives, words for a person)
NATION_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "ALG": (("Algeria",), ("Algerian",), ("Algerian",)),
    "AUS": (("Australia",), ("Australian",), ("Australian", "Aussie")),
    "BEL": (("Belgium",), ("Belgian",), ("Belgian",)),
    "BOT": (("Botswana",), ("Botswanan",), ("Motswana", "Botswanan")),
    "BRA": (("Brazil",), ("Brazilian",), ("Brazilian",)),
    "CAN": (("Canada",), ("Canadian",), ("Canadian",)),
    "CRO": (("Croatia",), ("Croatian",), ("Croat", "Croatian")),
    "CZE": (("Czechia", "Czech Republic"), ("Czech",), ("Czech",)),
    "DEN": (("Denmark",), ("Danish",), ("Dane",)),
    "ESP": (("Spain",), ("Spanish",), ("Spaniard",)),
    "EST": (("Estonia",), ("Estonian",), ("Estonian",)),
    "ETH": (("Ethiopia",), ("Ethiopian",), ("Ethiopian",)),
    "FIN": (("Finland",), ("Finnish",), ("Finn",)),
    "FRA": (("France",), ("French",), ("Frenchman", "Frenchwoman")),
    "GBR": (
        ("Great Britain", "Britain", "GB", "Team GB", "the UK", "United Kingdom"),
        ("British",),
        ("Briton", "Brit", "Scot", "Englishman", "Welshman"),
    ),
    "GER": (("Germany",), ("German",), ("German",)),
    "GRE": (("Greece",), ("Greek",), ("Greek",)),
    "HUN": (("Hungary",), ("Hungarian",), ("Hungarian",)),
    "INA": (("Indonesia",), ("Indonesian",), ("Indonesian",)),
    "IND": (("India",), ("Indian",), ("Indian",)),
    "IRL": (("Ireland",), ("Irish",), ("Irishman", "Irishwoman")),
    "ISL": (("Iceland",), ("Icelandic",), ("Icelander",)),
    "ITA": (("Italy",), ("Italian",), ("Italian",)),
    "JPN": (("Japan",), ("Japanese",), ("Japanese",)),
    "KEN": (("Kenya",), ("Kenyan",), ("Kenyan",)),
    "LAT": (("Latvia",), ("Latvian",), ("Latvian",)),
    "LTU": (("Lithuania",), ("Lithuanian",), ("Lithuanian",)),
    "LUX": (("Luxembourg",), ("Luxembourgish",), ("Luxembourger",)),
    "MAR": (("Morocco",), ("Moroccan",), ("Moroccan",)),
    "NED": (("the Netherlands", "Netherlands", "Holland"), ("Dutch",), ("Dutchman",)),
    "NOR": (("Norway",), ("Norwegian",), ("Norwegian",)),
    "NZL": (("New Zealand",), ("New Zealand",), ("New Zealander", "Kiwi")),
    "POL": (("Poland",), ("Polish",), ("Pole",)),
    "POR": (("Portugal",), ("Portuguese",), ("Portuguese",)),
    "QAT": (("Qatar",), ("Qatari",), ("Qatari",)),
    "ROU": (("Romania",), ("Romanian",), ("Romanian",)),
    "RSA": (("South Africa",), ("South African",), ("South African",)),
    "SLO": (("Slovenia",), ("Slovenian",), ("Slovene", "Slovenian")),
    "SOM": (("Somalia",), ("Somali",), ("Somali",)),
    "SUI": (("Switzerland",), ("Swiss",), ("Swiss",)),
    "SWE": (("Sweden",), ("Swedish",), ("Swede",)),
    "TUR": (("Turkey", "Türkiye"), ("Turkish",), ("Turk",)),
    "UGA": (("Uganda",), ("Ugandan",), ("Ugandan",)),
    "USA": (
        ("the United States", "United States", "USA", "the US", "America"),
        ("American", "US"),
        ("American",),
    ),
}


def nation_words(code: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Country names, adjectives and words for a person of ``code`` (the code alone if unknown)."""
    return NATION_WORDS.get(code, ((code,), (), ()))
