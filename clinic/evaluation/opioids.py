"""The daily opioid dose in morphine milligram equivalents (MME), worked from a medicine list
written one medicine a line ("oxycodone 10 mg twice daily").

Conversion factors: CDC Clinical Practice Guideline for Prescribing Opioids for Pain — United
States, 2022 (Dowell D, Ragan KR, Jones CM, Baldwin GT, Chou R. MMWR Recomm Rep 2022;71(No.
RR-3):1-95), the table "Morphine milligram equivalent doses for commonly prescribed opioids for
pain management" (adapted there from Von Korff et al., Clin J Pain 2008;24:521-527 and Nielsen et
al., Pharmacoepidemiol Drug Saf 2016;25:733-737). The MME of a medicine is its daily dose times
its factor; all doses are mg a day except transdermal fentanyl, in micrograms an hour.

The guideline's cautions, which this module keeps:
- the figures are estimates for gauging overall opioid exposure; they are not for converting a
  patient from one opioid to another (the new opioid is then dosed well below the MME);
- methadone: particular caution (a long, variable half-life; the respiratory depressant effect
  peaks later and lasts longer than the pain relief) — the factor is shown with that caution;
- transdermal fentanyl: dosed in mcg/hr, its absorption changed by heat and other factors; the
  table's factor is for the patch only, so fentanyl by any other route is not converted;
- buprenorphine is left out of the table (a partial agonist with a ceiling effect), so it is not
  converted here either; nor is any opioid the table gives no factor for (the reason is shown).

A line that names an opioid but whose daily dose cannot be read (no strength, no frequency, "as
needed" without a count of doses a day) is "not converted" with why: guessing a dose would chart
a number nobody prescribed. A total with a line not converted is marked incomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GUIDELINE = (
    "CDC Clinical Practice Guideline for Prescribing Opioids for Pain — United States, 2022 "
    "(Dowell et al., MMWR Recomm Rep 2022;71(No. RR-3)), table of MME conversion factors"
)

# opioid -> (factor, unit of the daily amount, caution shown beside the figure)
CONVERSION_FACTORS: dict[str, tuple[Decimal, str, str]] = {
    "codeine": (Decimal("0.15"), "mg", ""),
    "fentanyl": (
        Decimal("2.4"),
        "mcg/hr",
        "Transdermal fentanyl is dosed in mcg/hr and its absorption changes with heat and "
        "other factors: use the figure with caution.",
    ),
    "hydrocodone": (Decimal("1.0"), "mg", ""),
    "hydromorphone": (Decimal("5.0"), "mg", ""),
    "methadone": (
        Decimal("4.7"),
        "mg",
        "Methadone: its half-life is long and variable and its respiratory depression peaks "
        "later and lasts longer than its pain relief; use the figure with particular caution.",
    ),
    "morphine": (Decimal("1.0"), "mg", ""),
    "oxycodone": (Decimal("1.5"), "mg", ""),
    "oxymorphone": (Decimal("3.0"), "mg", ""),
    "tapentadol": (Decimal("0.4"), "mg", ""),
    "tramadol": (Decimal("0.2"), "mg", ""),
}

# Opioids recognised but without a factor in the table, with why.
NOT_IN_TABLE: dict[str, str] = {
    "buprenorphine": (
        "The CDC 2022 table leaves buprenorphine out: a partial agonist with a ceiling effect, "
        "its dose is not comparable in MME."
    ),
    "dihydrocodeine": "The CDC 2022 table gives no factor for dihydrocodeine.",
    "meperidine": "The CDC 2022 table gives no factor for meperidine (pethidine).",
    "pethidine": "The CDC 2022 table gives no factor for pethidine (meperidine).",
    "levorphanol": "The CDC 2022 table gives no factor for levorphanol.",
    "butorphanol": "The CDC 2022 table gives no factor for butorphanol.",
    "pentazocine": "The CDC 2022 table gives no factor for pentazocine.",
    "nalbuphine": "The CDC 2022 table gives no factor for nalbuphine.",
    "sufentanil": "The CDC 2022 table gives no factor for sufentanil.",
    "remifentanil": "The CDC 2022 table gives no factor for remifentanil.",
    "alfentanil": "The CDC 2022 table gives no factor for alfentanil.",
}

# Brand names (US) for the generic names above, so that a list written with them is converted.
BRANDS: dict[str, str] = {
    "oxycontin": "oxycodone",
    "roxicodone": "oxycodone",
    "percocet": "oxycodone",
    "xtampza": "oxycodone",
    "norco": "hydrocodone",
    "vicodin": "hydrocodone",
    "hysingla": "hydrocodone",
    "zohydro": "hydrocodone",
    "dilaudid": "hydromorphone",
    "exalgo": "hydromorphone",
    "ms contin": "morphine",
    "kadian": "morphine",
    "dolophine": "methadone",
    "methadose": "methadone",
    "opana": "oxymorphone",
    "nucynta": "tapentadol",
    "ultram": "tramadol",
    "conzip": "tramadol",
    "duragesic": "fentanyl",
    "subutex": "buprenorphine",
    "suboxone": "buprenorphine",
    "butrans": "buprenorphine",
    "belbuca": "buprenorphine",
    "demerol": "meperidine",
}

_NAMES = sorted({*CONVERSION_FACTORS, *NOT_IN_TABLE, *BRANDS}, key=len, reverse=True)
_NAME_RE = re.compile(r"\b(" + "|".join(re.escape(n) for n in _NAMES) + r")\b")
_NUMBER = r"(\d+(?:\.\d+)?)"
# "10 mg", "5/325 mg" (the opioid's strength comes first in a combination), "25 mcg/hr".
_STRENGTH_RE = re.compile(
    _NUMBER
    + r"(?:\s*/\s*\d+(?:\.\d+)?)?\s*"
    + r"(mcg\s*/\s*h(?:r|our)?|micrograms?\s*/\s*h(?:r|our)?|µg\s*/\s*h(?:r|our)?|mg|mcg|micrograms?|µg)\b"
)
_COUNT_RE = re.compile(r"\b(\d+|one|two|three|four)\s*(?:tablets?|tabs?|capsules?|caps?|pills?)\b")
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "once": 1, "twice": 2}
_FREQUENCIES: tuple[tuple[re.Pattern[str], int | None], ...] = (
    (re.compile(r"\bevery\s+(\d+)\s*(?:hours?|hrs?|h)\b"), None),
    (re.compile(r"\bq\s*(\d+)\s*h\b"), None),
    (
        re.compile(
            r"\b(\d+|one|two|three|four|five|six)\s*(?:times|x)\s*(?:a|per|/)?\s*(?:day|daily)\b"
        ),
        0,
    ),
    (re.compile(r"\b(?:four times|qds|qid)\b"), 4),
    (re.compile(r"\b(?:three times|tds|tid)\b"), 3),
    (re.compile(r"\b(?:twice|bd|bid|b\.i\.d\.)\b"), 2),
    (
        re.compile(
            r"\b(?:once|daily|a day|per day|od|qd|nightly|at night|each morning|every morning|in the morning|at bedtime)\b"
        ),
        1,
    ),
)
_INJECTED_RE = re.compile(
    r"\b(?:iv|intravenous|im|intramuscular|injection|injected|subcut|sc|infusion)\b"
)
_AS_NEEDED_RE = re.compile(r"\b(?:as needed|prn|when needed|if needed)\b")


@dataclass(frozen=True)
class OpioidLine:
    """One medicine-list line that names an opioid, with its MME or why it is not converted."""

    line: str
    opioid: str
    daily_amount: Decimal | None = None
    unit: str = ""
    factor: Decimal | None = None
    mme: Decimal | None = None
    not_converted: str = ""
    caution: str = ""

    @property
    def converted(self) -> bool:
        return self.mme is not None


@dataclass(frozen=True)
class DailyMme:
    lines: tuple[OpioidLine, ...]
    # Sum of the converted lines (0 when the list has no opioid).
    total: Decimal

    @property
    def complete(self) -> bool:
        """Every opioid on the list is converted (the total is the patient's whole dose)."""
        return all(line.converted for line in self.lines)

    @property
    def has_opioids(self) -> bool:
        return bool(self.lines)


def _number(text: str) -> Decimal:
    return Decimal(_WORDS[text]) if text in _WORDS else Decimal(text)


def _doses_a_day(text: str) -> Decimal | None:
    for pattern, fixed in _FREQUENCIES:
        match = pattern.search(text)
        if match is None:
            continue
        if fixed is None:
            hours = Decimal(match.group(1))
            return (Decimal(24) / hours) if 0 < hours <= 24 else None
        if fixed == 0:
            return _number(match.group(1))
        return Decimal(fixed)
    return None


def convert_line(line: str) -> OpioidLine | None:
    """The MME of one line, or None when it names no opioid."""
    text = " ".join(line.lower().split())
    match = _NAME_RE.search(text)
    if match is None:
        return None
    name = BRANDS.get(match.group(1), match.group(1))
    shown = " ".join(line.split())
    if name in NOT_IN_TABLE:
        return OpioidLine(shown, name, not_converted=NOT_IN_TABLE[name])
    factor, unit, caution = CONVERSION_FACTORS[name]
    rest = text[match.end() :]
    if _INJECTED_RE.search(text):
        return OpioidLine(
            shown,
            name,
            not_converted="The table's factors are for doses by mouth (fentanyl: the patch); an "
            "injected or infused dose is not converted.",
        )
    strength = _STRENGTH_RE.search(rest) or _STRENGTH_RE.search(text)
    if strength is None:
        return OpioidLine(
            shown, name, not_converted="No strength found (write it as e.g. “10 mg”)."
        )
    amount, written_unit = Decimal(strength.group(1)), strength.group(2).replace(" ", "")
    per_hour = "/h" in written_unit
    if name == "fentanyl":
        if not per_hour:
            return OpioidLine(
                shown,
                name,
                not_converted="The table's fentanyl factor is for the transdermal patch in "
                "mcg/hr only; other fentanyl products are not converted.",
            )
        daily = amount  # the patch strength in mcg/hr is the figure multiplied
        return OpioidLine(shown, name, daily, "mcg/hr", factor, (daily * factor), caution=caution)
    if per_hour or written_unit not in {"mg"}:
        return OpioidLine(
            shown,
            name,
            not_converted=f"The dose of {name} is converted from mg a day; "
            f"“{strength.group(0)}” is not in mg.",
        )
    per_day = _doses_a_day(text)
    if per_day is None:
        why = (
            "Taken as needed: write how many doses a day the patient takes (e.g. “up to 3 times "
            "a day”)."
            if _AS_NEEDED_RE.search(text)
            else "No frequency found (write e.g. “twice daily” or “every 6 hours”)."
        )
        return OpioidLine(shown, name, not_converted=why)
    count = _COUNT_RE.search(text)
    units_a_dose = _number(count.group(1)) if count else Decimal(1)
    daily = amount * units_a_dose * per_day
    if _AS_NEEDED_RE.search(text):
        caution = " ".join(
            filter(None, [caution, "Taken as needed: worked at the most doses a day written."])
        )
    return OpioidLine(shown, name, daily, unit, factor, daily * factor, caution=caution)


def daily_mme(medicines: str) -> DailyMme:
    """The daily MME of a medicine list (one medicine a line)."""
    lines = tuple(
        converted
        for raw in medicines.splitlines()
        if raw.strip() and (converted := convert_line(raw)) is not None
    )
    total = sum((line.mme for line in lines if line.mme is not None), Decimal(0))
    return DailyMme(lines, total)


def shown(value: Decimal | None) -> str:
    """An MME figure as shown: one decimal place at most."""
    if value is None:
        return "—"
    value = Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return str(int(value)) if value == value.to_integral() else str(value)
