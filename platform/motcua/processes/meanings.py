"""What an outcome means (contract: bpmn-dialect.md, *What an outcome means*).

A step's outcome is the key of the button an officer chose; its meaning alone decides
statuses, documents and the timeline. The platform never reads a key's or a label's wording,
except for the few standard keys that carry their own meaning when none is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Meaning(StrEnum):
    ACCEPT = "accept"
    SUPPLEMENT = "supplement"
    REFUSE = "refuse"
    BACK = "back"
    FORWARD = "forward"


# The standard keys, and the meaning each carries when the process writes none.
IMPLIED = {
    "accept": Meaning.ACCEPT,
    "supplement": Meaning.SUPPLEMENT,
    "refuse": Meaning.REFUSE,
    "reject": Meaning.REFUSE,
    "back": Meaning.BACK,
}
# Outcomes that need a reason the applicant or the colleague sent back can read.
NEEDS_REASON = frozenset({Meaning.REFUSE, Meaning.SUPPLEMENT, Meaning.BACK})


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    meaning: Meaning
    # True when the process wrote the meaning (``key:meaning=Label``).
    declared: bool = True

    def as_list(self) -> list[str]:
        """As stored: the meaning only when the process wrote it (the key implies it else)."""
        if self.declared:
            return [self.key, self.label, self.meaning.value]
        return [self.key, self.label]


def implied_meaning(key: str) -> Meaning:
    return IMPLIED.get(key, Meaning.FORWARD)


def outcome_from(item: Sequence[str]) -> Outcome:
    """An outcome as stored (``[key, label]`` before meanings existed, ``[key, label, meaning]``
    since): an older row takes the meaning its key implies, as the dialect says."""
    key, label = str(item[0]), str(item[1])
    if len(item) > 2 and item[2]:
        return Outcome(key, label, Meaning(item[2]))
    return Outcome(key, label, implied_meaning(key), declared=False)


def outcomes_from(items: Iterable[Sequence[str]] | None) -> list[Outcome]:
    return [outcome_from(item) for item in items or []]


def find(outcomes: Iterable[Outcome], key: str | None) -> Outcome | None:
    return next((o for o in outcomes if o.key == key), None)
