"""Field declarations for parameter sections: a default plus the facts validation needs.

Every tunable number of the model is declared once, in a frozen dataclass of
:mod:`sim.params`, with :func:`param`. The scenario loader reads the metadata
(bounds, allowed choices, unit, documentation, reference) to validate TOML input
and to print the schema documentation, so there is no second list of defaults.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

__all__ = ["PARAM_META", "ParamMeta", "meta_of", "param", "probability"]

PARAM_META = "basmachi"


@dataclasses.dataclass(frozen=True)
class ParamMeta:
    """What the loader and the documentation know about one field.

    Attributes
    ----------
    doc : str
        One sentence: what the number means in the world being modelled.
    unit : str
        Unit of the value ("" for dimensionless).
    ge, le : float or None
        Inclusive bounds; ``None`` means unbounded on that side.
    gt : float or None
        Exclusive lower bound.
    choices : tuple of str, optional
        Allowed values for a string field.
    ref : str
        Where the default comes from: an ``outcomes.csv`` row id of role ``input`` or
        ``context``, a published figure outside the targets, or "judgement" for a
        reasoned guess awaiting calibration. Never a ``train`` row (a target).
    prior : (float, float) or None
        The range a historian would accept for the value, which calibration searches:
        narrower than the validity bounds (``ge``/``le``/``gt``, what the code can run
        with) and containing the default. Every numeric parameter has one.
    """

    doc: str
    unit: str = ""
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    choices: tuple[str, ...] = ()
    ref: str = "judgement"
    prior: tuple[float, float] | None = None

    def prior_text(self) -> str:
        """The prior range as text ("" without one)."""
        if self.prior is None:
            return ""
        return f"{self.prior[0]:g} .. {self.prior[1]:g}"

    def allowed(self) -> str:
        """Human-readable statement of the allowed values."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        parts: list[str] = []
        if self.gt is not None:
            parts.append(f"> {self.gt:g}")
        if self.ge is not None:
            parts.append(f">= {self.ge:g}")
        if self.le is not None:
            parts.append(f"<= {self.le:g}")
        return " and ".join(parts) if parts else "any value of the declared type"


def param(
    default: Any,
    doc: str,
    *,
    unit: str = "",
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    choices: Sequence[str] = (),
    ref: str = "judgement",
    prior: tuple[float, float] | None = None,
) -> Any:
    """Declare a parameter field with its default, bounds and documentation.

    Parameters
    ----------
    default
        The one default value of the field (immutable: numbers, strings, tuples).
    doc
        What the value means.
    unit, ge, le, gt, choices, ref, prior
        See :class:`ParamMeta`.

    Returns
    -------
    dataclasses.Field
        To be assigned in a frozen dataclass body.

    Examples
    --------
    >>> @dataclasses.dataclass(frozen=True)
    ... class P:
    ...     rate: float = param(0.1, "Daily rate.", ge=0.0, le=1.0, prior=(0.05, 0.2))
    >>> P().rate
    0.1
    """
    meta = ParamMeta(
        doc=doc, unit=unit, ge=ge, le=le, gt=gt, choices=tuple(choices), ref=ref,
        prior=None if prior is None else (float(prior[0]), float(prior[1])),
    )
    return dataclasses.field(default=default, metadata={PARAM_META: meta})


def probability(
    default: float, doc: str, *, ref: str = "judgement", prior: tuple[float, float] | None = None
) -> Any:
    """Shorthand for a probability field, bounded to [0, 1]."""
    return param(default, doc, ge=0.0, le=1.0, ref=ref, prior=prior)


def meta_of(field: dataclasses.Field[Any]) -> ParamMeta | None:
    """Return the :class:`ParamMeta` of a dataclass field, if it was declared with `param`."""
    meta = field.metadata.get(PARAM_META)
    return meta if isinstance(meta, ParamMeta) else None
