"""What a client may see: the one declared list of client-visible fields and measures (SPEC 9).

What the platforms charged (``source_spend``), and the margins and markups derived from it, are
the agency's business. Every output a client can reach (API serializers, pages, CSV/XLSX/PDF
exports, emails) is built from the fields declared here; an output that names a field declared
nowhere is refused (``ValueError``), so a new column cannot leak by being forgotten. Admin outputs
may add the cost fields, under the labels given here, which say they are the agency's cost.
"""

from __future__ import annotations

from typing import Final

from accounts.models import Role, User

# The dimensions a client sees: who, when, where the delivery ran.
CLIENT_VISIBLE_DIMENSIONS: Final = (
    "date",
    "client",
    "source",
    "campaign",
    "strategy",
    "placement",
    "creative",
)
# The measures a client sees: delivery, results and what the client is billed (at their CPM).
CLIENT_VISIBLE_MEASURES: Final = (
    "impressions",
    "clicks",
    "conversions",
    "conversion_revenue",
    "spend",
    "ctr",
    "cpc",
    "cpa",
    "roas",
)
CLIENT_VISIBLE_FIELDS: Final = CLIENT_VISIBLE_DIMENSIONS + CLIENT_VISIBLE_MEASURES

# The agency's cost, for admins only, with the label an admin output gives it.
ADMIN_ONLY_COST_FIELDS: Final = {
    "source_spend": "Platform cost (agency only)",
}
# Words that name the agency's cost; none may reach a client in any output.
COST_TERMS: Final = ("source_spend", "platform spend", "platform cost", "margin", "markup")


def sees_cost(user: User) -> bool:
    """Whether ``user`` may see what the platforms charged: agency admins only."""
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def field_visible(field: str, *, with_cost: bool) -> bool:
    """Whether an output may carry ``field`` (a name or an ORM path such as ``campaign__name``).

    Client-visible fields always; the agency's cost fields only when ``with_cost``. A field that is
    declared neither way is a ``ValueError``: declare it here before any output shows it.
    """
    root = field.split("__", 1)[0]
    if root in CLIENT_VISIBLE_FIELDS:
        return True
    if root in ADMIN_ONLY_COST_FIELDS:
        return with_cost
    raise ValueError(
        f"{field!r} is not declared in metrics.visibility: declare whether a client may see it."
    )
