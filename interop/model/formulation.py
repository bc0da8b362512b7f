"""The reference formulation's constraint groups, named once (formulation.md, version 2).

Both builds of the model — the Pyomo model of :mod:`interop.model.pyomo_model`
for analysts and the matrix build of :mod:`interop.model.matrix` for speed —
name their row groups with these keys and nothing else, and
``tests/model/test_builds_agree.py`` checks that the two builds give the same
rows, bounds and objective coefficient for coefficient. A new constraint
group is added here first; the tests then fail until both builds have it.

The symbols (formulation.md): q_p units of platform p, cap_c span of control
of node c, g_c node c integrated, a/h units assigned/integrated on (p, t, c),
E_t effect on task t (≤ r_t), e and b the effect and integration bonus,
m_t r_t the coverage floor, f the flow on a link direction, z_l link l
active, κ(n, c) the command factor (κ_s for a member, κ_ℓ for the lead, 1 for
a foreign node, 0 national), φ_n the non-national share limit and β_n the
burden floor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """One constraint group: its number in formulation.md and what it says."""

    number: str
    index: str
    text: str


GROUPS: dict[str, Group] = {
    "c1_units": Group("1", "p", "Σ_{t,c} a_ptc ≤ q_p"),
    "c2_span": Group("2", "c", "Σ_{p,t} a_ptc ≤ cap_c"),
    "c3_integrated": Group("3", "p,t,c", "h_ptc ≤ a_ptc"),
    "c3_node": Group("3", "p,t,c", "h_ptc ≤ q_p g_c"),
    "c4_effect": Group("4", "t", "E_t ≤ Σ_{p,c} e_pt (a_ptc + b_pt h_ptc)"),
    "c5_coverage": Group("5", "t", "E_t ≥ m_t r_t (where positive)"),
    "c6_balance": Group("6", "c ∉ R", "inflow − outflow = g_c"),
    "c6_flow": Group("6", "l, direction", "f ≤ |C| z_l"),
    "c7_nonnational": Group("7", "n", "Σ v κ>0 a ≤ φ_n Σ v a (where φ_n < 1)"),
    "c8_burden": Group("8", "n", "Σ v a ≥ β_n Σ_p v_p q_p (where positive)"),
    "epsilon_autonomy": Group("ε", "", "Σ_n α_n Aut_n ≤ ε (epsilon-constraint form only)"),
}
"""Constraint groups of the default model, in build order."""

OBJECTIVE = "Z = Σ_t w_t E_t − λ Σ_n α_n Aut_n − μ Σ_l k_l z_l"
AUTONOMY_LOSS = "Aut_n = Σ_{p∈n} Σ_{t,c} v_p (κ(n,c) a_ptc + ι h_ptc)"
