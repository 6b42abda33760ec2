"""Row locks on the register's containers and discrepancies, held until the transaction ends.

Containers are locked in primary-key order, so two services locking the same containers never
wait on each other in a circle; a discrepancy is locked before its container.
"""

from __future__ import annotations

from collections.abc import Iterable

from clinic.inventory.models import Container, Discrepancy


def lock_containers(container_ids: Iterable[int]) -> list[Container]:
    """The containers' rows, locked in primary-key order (only they: the lot, product, safe and
    location joined in are shared), read with their lot, product, safe and location."""
    ids = sorted(set(container_ids))
    return list(
        Container.objects.select_for_update(of=("self",))
        .select_related("lot__product", "safe__location")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def lock_discrepancy(discrepancy_id: int) -> Discrepancy:
    """The discrepancy's row, locked (only it), read with its count line and count, its
    container's lot and product, and its safe's location."""
    return (
        Discrepancy.objects.select_for_update(of=("self",))
        .select_related("line__count", "container__lot__product", "safe__location")
        .get(pk=discrepancy_id)
    )
