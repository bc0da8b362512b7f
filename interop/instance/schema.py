"""The instance file schema (``shared/design/instance-format.md``) as pydantic models.

Field-level rules live here: types, ranges, defaults and unknown keys. Rules that
relate one entity to another (references, duplicate ids, domains) live in
:mod:`interop.checks`, because they need the whole instance.

Every model is strict: a string is never read as a number, a boolean never as
a number, and an unknown key is an error, so that a typo cannot silently change
a model.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

DEFAULT_DOMAINS = ("land", "air", "maritime", "cyber", "space")
MULTINATIONAL = "multinational"
COLLECTIONS = ("nations", "command_nodes", "links", "platforms", "tasks")


def _integral(value: object) -> object:
    """Accept 3.0 for an integer field (JSON writers emit it); keep 3.5 an error."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _plain_name(value: str) -> str:
    """An instance or scenario name names a results directory: no path, no control characters."""
    if value in (".", "..") or any(c in value for c in "/\\") or not value.isprintable():
        raise ValueError("a name may not contain '/', '\\' or control characters, nor be '.' or '..'")
    return value


# Counts and capacities are whole units; beyond a billion they are a typo (and overflow the solver's integers).
MAX_UNITS = 10**9
# Every other number (values, effects, demands, costs, weights, scales) is at most 1e12: far above
# any real figure (a value in dollars still fits), and it keeps 1e300-style typos out of the solver.
# Products of fields that reach the model (e·b, Σ w r, Σ v q, λ α v q (1 + ι), μ Σ k) are bounded
# by interop.instance.magnitudes, below what HiGHS accepts (1e15).
MAX_NUMBER = 1e12

MAX_ID_LENGTH = 200


def _plain_id(value: str) -> str:
    """An id is a printable name of a sane length: it is printed, written to CSV and plotted."""
    if len(value) > MAX_ID_LENGTH:
        raise ValueError(f"an id may be at most {MAX_ID_LENGTH} characters long (got {len(value)})")
    if not value.isprintable():
        raise ValueError("an id may not contain NUL, newlines or other control characters")
    if value != value.strip():
        raise ValueError("an id may not start or end with a space")
    return value


def _plain_label(value: str) -> str:
    """A domain, theater or standard name obeys the rules of an id: it is printed and tabled too."""
    try:
        return _plain_id(value)
    except ValueError as exc:
        raise ValueError(str(exc).replace("an id", "a name")) from None


Id = Annotated[str, Field(min_length=1), AfterValidator(_plain_id)]
Label = Annotated[str, Field(min_length=1), AfterValidator(_plain_label)]  # domain, theater, standard
Name = Annotated[str, Field(min_length=1), AfterValidator(_plain_name)]
Count = Annotated[int, BeforeValidator(_integral), Field(ge=1, le=MAX_UNITS)]
Capacity = Annotated[int, BeforeValidator(_integral), Field(ge=0, le=MAX_UNITS)]
NonNeg = Annotated[float, Field(ge=0, le=MAX_NUMBER, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, le=MAX_NUMBER, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
SourceRef = Id | list[Id]


class Strict(BaseModel):
    """Base of every schema model: strict types, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(Strict):
    id: Id
    title: str
    url: str | None = None
    accessed: datetime.date | str | None = None
    note: str | None = None


class Parameters(Strict):
    """Global model parameters; every key optional (formulation.md, Data)."""

    autonomy_scale: NonNeg = 1.0  # λ
    link_cost_scale: NonNeg = 1.0  # μ
    shared_command_factor: Share = 0.5  # κ_s
    lead_command_factor: Share = 0.25  # κ_ℓ (only read by nodes that name a lead)
    integration_autonomy_factor: NonNeg = 0.2  # ι
    integration_bonus: dict[Label, NonNeg] = Field(default_factory=dict)  # b_d

    def bonus(self, domain: str) -> float:
        return self.integration_bonus.get(domain, 0.0)


class Nation(Strict):
    id: Id
    autonomy_weight: NonNeg = 1.0
    max_nonnational_share: Share = 1.0
    caveats: list[Label] = Field(default_factory=list)
    shares_networks: bool = True
    min_commitment: Share = 0.0
    source: SourceRef | None = None


class CommandNode(Strict):
    id: Id
    nation: Id
    members: list[Id] | None = None
    lead: Id | None = None  # the member nation that commands a multinational node
    domains: list[Label]
    theaters: list[Label]
    capacity: Capacity
    standards: list[Label]
    root: bool = False
    source: SourceRef | None = None

    @property
    def multinational(self) -> bool:
        return self.nation == MULTINATIONAL


class Link(Strict):
    id: Id
    between: Annotated[list[Id], Field(min_length=2, max_length=2)]
    cost: NonNeg
    standards: list[Label]
    source: SourceRef | None = None


class Platform(Strict):
    id: Id
    nation: Id
    count: Count = 1
    value: Positive
    standards: list[Label]
    theaters: list[Label]
    effects: dict[Label, NonNeg]
    source: SourceRef | None = None


class Task(Strict):
    id: Id
    domain: Label
    theater: Label
    demand: Positive
    priority: Positive
    min_coverage: Share = 0.0
    allowed_nations: list[Id] | None = None
    source: SourceRef | None = None


Collection = Literal["nations", "command_nodes", "links", "platforms", "tasks"]


class ScenarioParameters(Strict):
    """A scenario's parameter edits: like :class:`Parameters` but nothing defaulted."""

    autonomy_scale: NonNeg | None = None
    link_cost_scale: NonNeg | None = None
    shared_command_factor: Share | None = None
    lead_command_factor: Share | None = None
    integration_autonomy_factor: NonNeg | None = None
    integration_bonus: dict[Label, NonNeg] | None = None


class Scenario(Strict):
    """Edits applied in order: parameters, update, remove, add."""

    description: str | None = None
    parameters: ScenarioParameters | None = None
    update: dict[Collection, dict[Id, dict[str, object]]] = Field(default_factory=dict)
    remove: dict[Collection, list[Id]] = Field(default_factory=dict)
    add: dict[Collection, list[dict[str, object]]] = Field(default_factory=dict)


class Instance(Strict):
    """A base instance, or a base instance with one scenario applied."""

    name: Name
    description: str | None = None
    sources: list[Source] = Field(default_factory=list)
    domains: list[Label] = Field(default_factory=lambda: list(DEFAULT_DOMAINS))
    parameters: Parameters = Field(default_factory=Parameters)
    nations: list[Nation]
    command_nodes: list[CommandNode]
    links: list[Link] = Field(default_factory=list)
    platforms: list[Platform]
    tasks: list[Task]
    scenarios: dict[Name, Scenario] = Field(default_factory=dict)
    # The scenario applied by the loader (None: the base instance); not a file key.
    _scenario: str | None = PrivateAttr(default=None)

    @property
    def scenario(self) -> str | None:
        """Name of the scenario applied to this instance, or None for the base."""
        return self._scenario
