"""Which optimal plan is reported: the arithmetic of the tie-break, apart from HiGHS.

Among the plans within :data:`TIE_TOLERANCE` of the optimum Z*, the reported
one has the least secondary value s·x (Σ α Aut). The cheap way to find it is
one solve of the perturbed objective (Z − δ s)·x, started from the first plan:
whenever its answer R is still optimal for Z, the perturbed run's dual bound B
proves that no plan within the tolerance of Z* has s·x below

    least = (Z* − tol − B) / δ,

since every such plan Q has Z(Q) − δ s(Q) ≤ B. R is accepted when s(R) is
within :data:`TIE_PRECISION` of that floor, relative to the first plan's s·x. δ is chosen from the
tolerances so that an exact perturbed run always meets the floor; a δ large
enough to trade Z for s (a breakpoint of Z in δ) shows as an R that is no
longer optimal for Z, and the caller then falls back to the exact second solve
with the row Z·x ≥ Z* − tol. Both ways give the least s·x among optimal plans;
the perturbed one proves it to 1e-5 of the first plan's s·x
instead of HiGHS's 1e-9 gap: plans whose losses differ by less count as tied.
The proof is as good as HiGHS's tolerances on the bound and the integrality.
"""

from __future__ import annotations

from dataclasses import dataclass

TIE_TOLERANCE = 1e-9  # relative: plans this close to Z* count as optimal when ties are broken
TIE_PRECISION = 1e-5  # relative: how close to the least Σ α Aut a perturbed solve must prove its plan
_GAP_ROOM = 4.0  # δ leaves room for a perturbed run's gap of just under three tolerances


def tolerance(best: float) -> float:
    """How far below Z* (``best``) a plan may be and still count as optimal."""
    return TIE_TOLERANCE * max(1.0, abs(best))


def perturbation(best: float, worst: float, precision: float = TIE_PRECISION) -> float:
    """δ for the objective Z − δ s, given Z* (``best``) and the first plan's s·x (``worst``).

    The floor's distance to s(R) is (gap + tol + Z* − Z(R)) / δ, so with the
    gap under three tolerances this δ keeps it under ``precision`` × ``worst``.
    """
    return _GAP_ROOM * tolerance(best) / (precision * max(1.0, abs(worst)))


@dataclass(frozen=True)
class Certificate:
    """What a perturbed run proved about its plan R."""

    optimal: bool  # R is within the tolerance of Z*
    least: float  # no plan within the tolerance of Z* has a smaller s·x
    accepted: bool  # R is optimal and its s·x is within the precision of ``least``


def certify(
    best: float,
    delta: float,
    z_plan: float,
    s_plan: float,
    bound: float | None,
    scale: float | None = None,
    precision: float = TIE_PRECISION,
) -> Certificate:
    """Judge a perturbed run: Z* = ``best``, R's Z and s, and the run's dual bound of (Z − δ s)·x.

    ``bound`` is an upper bound of the perturbed objective over all plans
    (without the model's constant offset); ``None`` (no proof) accepts nothing.
    ``scale`` is the loss the precision is relative to: the first plan's, the
    one δ was chosen for (:func:`perturbation`); by default s(R).
    """
    tol = tolerance(best)
    optimal = z_plan >= best - tol
    if bound is None or delta <= 0:
        return Certificate(optimal, float("-inf"), False)
    least = (best - tol - bound) / delta
    ref = s_plan if scale is None else scale
    accepted = optimal and s_plan - least <= precision * max(1.0, abs(ref))
    return Certificate(optimal, least, accepted)
