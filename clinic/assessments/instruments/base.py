"""The shape of a validated instrument, declared as data, and the scoring rules that read it.

Each instrument module declares its items (with a stable `link_id`, FHIR Questionnaire style), the
answer options with their values, LOINC codes where they exist, its bands, flags and source. The
pure functions here score any declaration; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from clinic.assessments.choices import Respondent

Answer = int | None
Answers = Sequence[Answer] | Mapping[str, Answer]


class AnswerError(ValueError):
    """An answer the instrument does not accept. The message names the item as people read it
    ("PHQ-9 item 3 is not answered."); `link_id` is the item's code, which API callers key their
    answers by, so the API adds it (`with_code`) and screens do not."""

    def __init__(self, message: str, *, link_id: str) -> None:
        super().__init__(message)
        self.link_id = link_id

    def with_code(self) -> str:
        return f"{self} (item {self.link_id})"


@dataclass(frozen=True)
class AnswerOption:
    value: int
    label: str
    loinc: str = ""


@dataclass(frozen=True)
class Item:
    """One question. `scored=False` items (e.g. PHQ-9's difficulty question) never enter a total.
    `required=False` items may be left blank; `enabled_when` names an item and the values of it
    that make this item applicable (C-SSRS skip logic): when not applicable it must stay blank."""

    link_id: str
    number: str
    text: str
    options: tuple[AnswerOption, ...]
    loinc: str = ""
    scored: bool = True
    required: bool = True
    enabled_when: tuple[str, frozenset[int]] | None = None
    group: str = ""

    @property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)

    def label_of(self, value: int | None) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return ""


@dataclass(frozen=True)
class Band:
    """A severity band, inclusive at both ends, e.g. PHQ-9 10–14 = moderate."""

    low: Decimal | int
    high: Decimal | int
    code: str
    label: str


@dataclass(frozen=True)
class Outcome:
    """How this clinic reads change from baseline for an instrument, with its source."""

    response_reduction_percent: int | None = None
    response_reduction_points: int | None = None
    remission_below: Decimal | int | None = None
    meaningful_change_points: Decimal | int | None = None
    source: str = ""
    # Remission also needs a response (PCL-5: a meaningful fall, not just a step under the cut-off).
    remission_needs_response: bool = False

    @property
    def response_definition(self) -> str:
        if self.response_reduction_percent is not None:
            return (
                f"Response: a fall of at least {self.response_reduction_percent} % from baseline."
            )
        if self.response_reduction_points is not None:
            return f"Response: a fall of at least {self.response_reduction_points} points from baseline."
        return ""

    @property
    def remission_definition(self) -> str:
        if self.remission_below is None:
            return ""
        also = " together with a response" if self.remission_needs_response else ""
        return (
            f"Remission: a latest score below {self.remission_below}{also}, counted only when the "
            f"baseline was at or above {self.remission_below} (a patient who started below it "
            "cannot remit)."
        )

    @property
    def worsening_definition(self) -> str:
        if self.meaningful_change_points is None:
            return ""
        return (
            f"Worsening: a rise of at least {self.meaningful_change_points} points from baseline "
            "or from the score before."
        )

    @property
    def definitions(self) -> str:
        """Every definition this outcome applies, and its source, as one printed sentence."""
        return " ".join(
            part
            for part in (
                self.response_definition,
                self.remission_definition,
                self.worsening_definition,
                self.source,
            )
            if part
        )


@dataclass(frozen=True)
class ScoreResult:
    total: Decimal | int
    severity: str
    subscales: Mapping[str, Decimal | int] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()
    details: dict[str, Any] = field(default_factory=dict)


def required_answer(answers: Mapping[str, int | None], link_id: str) -> int:
    """The answer to an item the instrument requires. Answers are validated before scoring, so a
    missing one here is a programming error, not the patient's."""
    value = answers[link_id]
    if value is None:
        raise ValueError(f"{link_id} is required and has no answer.")
    return value


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    short_name: str
    purpose: str
    instructions: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    min_total: Decimal | int
    max_total: Decimal | int
    source: str
    rule: Callable[[Instrument, dict[str, int | None]], ScoreResult]
    respondent: Respondent = Respondent.PATIENT
    loinc_panel: str = ""
    loinc_total: str = ""
    outcome: Outcome = Outcome()
    # Screens (MDQ, C-SSRS) give a result, not a severity to follow over time: no progress chart.
    charted: bool = True
    # Repeated during care (due/overdue lists). The MDQ is a one-off screen at evaluation.
    repeated: bool = True
    copyright_note: str = ""
    # The period the answers cover ("the last 2 weeks"), shown with every result: a measure with
    # a 2-week recall repeated sooner counts the same days twice.
    recall: str = ""
    # Why there is no LOINC code, where `loinc_panel` / `loinc_total` are blank.
    loinc_note: str = ""
    # A safety check asked before every dose (the ASRM's mania check), not only at baseline: a
    # plan for a condition whose set includes it repeats it before each session.
    before_each_session: bool = False

    @property
    def item_by_link_id(self) -> dict[str, Item]:
        return {item.link_id: item for item in self.items}

    def band_for(self, total: Decimal | int) -> Band:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ValueError(f"{self.short_name}: a total of {total} is outside every band.")

    def band_label(self, code: str) -> str:
        for band in self.bands:
            if band.code == code:
                return band.label
        return code.replace("_", " ")

    def applicable(self, item: Item, answers: Mapping[str, int | None]) -> bool:
        if item.enabled_when is None:
            return True
        other, values = item.enabled_when
        return answers.get(other) in values

    def keyed(self, answers: Answers) -> dict[str, int | None]:
        """Answers keyed by link_id (a list is read in item order), not yet validated."""
        if isinstance(answers, Mapping):
            return {item.link_id: answers.get(item.link_id) for item in self.items}
        answers = list(answers)
        return {
            item.link_id: (answers[i] if i < len(answers) else None)
            for i, item in enumerate(self.items)
        }

    def normalise(self, answers: Answers) -> dict[str, int | None]:
        """Answers keyed by link_id, validated: every applicable required item answered with one of
        its values, nothing answered that does not apply. Raises ValueError naming the item."""
        if isinstance(answers, Mapping):
            unknown = set(answers) - set(self.item_by_link_id)
            if unknown:
                raise ValueError(
                    f"{self.short_name}: unknown item(s) {', '.join(sorted(unknown))}."
                )
            keyed = {item.link_id: answers.get(item.link_id) for item in self.items}
        else:
            answers = list(answers)
            if len(answers) > len(self.items):
                raise ValueError(
                    f"{self.short_name} has {len(self.items)} items; {len(answers)} answers were given."
                )
            padded = answers + [None] * (len(self.items) - len(answers))
            keyed = {item.link_id: value for item, value in zip(self.items, padded, strict=True)}
        for item in self.items:
            value = keyed[item.link_id]
            where = f"{self.short_name} item {item.number}"
            if not self.applicable(item, keyed):
                if value is not None:
                    raise AnswerError(
                        f"{where} does not apply given the earlier answers; leave it blank.",
                        link_id=item.link_id,
                    )
                continue
            if value is None:
                if item.required:
                    raise AnswerError(f"{where} is not answered.", link_id=item.link_id)
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise AnswerError(
                    f"{where}: the answer must be a whole number, not {value!r}.",
                    link_id=item.link_id,
                )
            if value not in item.values:
                allowed = ", ".join(str(v) for v in sorted(item.values))
                raise AnswerError(
                    f"{where}: {value} is not one of the allowed answers ({allowed}).",
                    link_id=item.link_id,
                )
        return keyed

    def score(self, answers: Answers) -> ScoreResult:
        """Score answers given in item order (a list) or keyed by link_id (a mapping)."""
        return self.rule(self, self.normalise(answers))

    def flags_so_far(self, answers: Mapping[str, int | None]) -> frozenset[str]:
        """The flags an unfinished form's answers already raise: its rule run on the answers given
        (unanswered items and those that no longer apply left blank). Only flags that further
        answers cannot withdraw may be acted on from this (an item's value, a "yes", a lower bound
        on a sum); a rule that needs every answer gives none."""
        keyed: dict[str, int | None] = {}
        for item in self.items:
            value = answers.get(item.link_id)
            keyed[item.link_id] = value if value in item.values else None
        keyed = {
            link_id: (value if self.applicable(self.item_by_link_id[link_id], keyed) else None)
            for link_id, value in keyed.items()
        }
        try:
            return self.rule(self, keyed).flags
        except (TypeError, ValueError, KeyError):
            return frozenset()


def options(*labels: str, start: int = 0) -> tuple[AnswerOption, ...]:
    return tuple(AnswerOption(start + index, label) for index, label in enumerate(labels))


def scale(low: int, high: int, low_label: str, high_label: str) -> tuple[AnswerOption, ...]:
    """A numeric rating scale with its anchors named at the ends (e.g. 0 No pain … 10 worst)."""
    return tuple(
        AnswerOption(
            value,
            f"{value} – {low_label}"
            if value == low
            else f"{value} – {high_label}"
            if value == high
            else str(value),
        )
        for value in range(low, high + 1)
    )


YES_NO = (AnswerOption(0, "No"), AnswerOption(1, "Yes"))

# "Over the last 2 weeks, how often …" answers of the PHQ-9 and GAD-7, with their LOINC answer
# codes (HL7 US Core PHQ-9 Questionnaire example).
FREQUENCY_LAST_TWO_WEEKS = (
    AnswerOption(0, "Not at all", "LA6568-5"),
    AnswerOption(1, "Several days", "LA6569-3"),
    AnswerOption(2, "More than half the days", "LA6570-1"),
    AnswerOption(3, "Nearly every day", "LA6571-9"),
)


def sum_rule(
    subscales: Mapping[str, Sequence[str]] | None = None, flag_rules: Sequence[Callable] = ()
):
    """Total = sum of the scored items; each subscale = sum of its items; flags from `flag_rules`
    (functions of the answers returning a flag name or None)."""

    def rule(instrument: Instrument, answers: dict[str, int | None]) -> ScoreResult:
        scored = [item for item in instrument.items if item.scored]
        total = sum(answers[item.link_id] or 0 for item in scored)
        sub = {
            name: sum(answers[link_id] or 0 for link_id in ids)
            for name, ids in (subscales or {}).items()
        }
        flags = frozenset(flag for check in flag_rules if (flag := check(answers)))
        return ScoreResult(
            total=total, severity=instrument.band_for(total).code, subscales=sub, flags=flags
        )

    return rule


def total_at_least(minimum: int, flag: str):
    """A flag when the sum of the scored items answered reaches `minimum` (a lower bound while
    answers are missing, so it holds once raised)."""

    def check(answers: Mapping[str, int | None]) -> str | None:
        return flag if sum(value or 0 for value in answers.values()) >= minimum else None

    return check


# Said of an instrument for which no LOINC code is declared.
LOINC_NOT_CHECKED = (
    "No LOINC code declared: none is given by the sources this declaration was written from, and "
    "the LOINC table (https://loinc.org/search/) was not at hand to check one. Look it up there "
    "before results are exchanged; a guessed code is worse than none."
)


def item_at_least(link_id: str, minimum: int, flag: str):
    def check(answers: Mapping[str, int | None]) -> str | None:
        value = answers.get(link_id)
        return flag if value is not None and value >= minimum else None

    return check


def mean(values: Sequence[int]) -> Decimal:
    """Arithmetic mean to two decimals (half up), as scores are reported."""
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01"), ROUND_HALF_UP)
