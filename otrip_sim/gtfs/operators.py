"""The one mapping from a GTFS feed's agencies and networks to otrip-sim operators, shared by
``network-import`` and ``fares-import`` so that the two imports of one feed name operators alike.

An agency's operator is its ``--operator`` entry (keyed by ``agency_id`` or ``agency_name``), else
its slugified ``agency_id`` (else ``agency_name``).  A Fares v2 network's operator is its
``--operator`` entry (keyed by ``network_id``), else the operator of the one agency running all
its routes (``route_networks.txt`` or ``routes.txt``'s ``network_id``), else the ``network_id``
itself (other characters than ``A-Z a-z 0-9 _ . -`` become ``_``).
"""

from __future__ import annotations

from collections.abc import Mapping

from .feed import Feed
from .ids import network_id, slug
from .values import col


def agency_operator(agency_id: str, agency_name: str, op_map: Mapping[str, str], fallback: str = "") -> str:
    """The operator id of one GTFS agency.

    Parameters
    ----------
    agency_id, agency_name : str
        The agency's ``agency_id`` and ``agency_name`` (either may be ``""``).
    op_map : mapping
        ``--operator`` entries: ``agency_id`` or ``agency_name`` -> operator id.
    fallback : str
        Used when the agency has neither id nor name (the feed's label).

    Returns
    -------
    str
        ``op_map``'s entry, else the slugified ``agency_id`` (else name, else ``fallback``),
        else ``"operator"``.
    """
    for key in (agency_id, agency_name):
        if key and key in op_map:
            return op_map[key]
    return slug(agency_id or agency_name or fallback) or "operator"


def network_operators(feed: Feed, op_map: Mapping[str, str]) -> dict[str, str]:
    """Each ``network_id`` named in the feed's routes -> its operator id (see the module doc).

    Parameters
    ----------
    feed : Feed
        The feed (``routes.txt``, ``agency.txt``, ``route_networks.txt`` and ``networks.txt`` are
        read when present).
    op_map : mapping
        ``--operator`` entries, keyed by ``network_id``, ``agency_id`` or ``agency_name``.

    Returns
    -------
    dict of str to str
        Networks whose routes one agency runs (or that ``op_map`` names); other networks are not
        in it (:func:`operator_of_network` falls back to the network id).
    """
    out: dict[str, str] = {}
    routes = feed.read("routes.txt", required=False)
    agency = feed.read("agency.txt", required=False)
    names: dict[str, str] = {}
    if agency is not None:
        names = dict(zip(col(agency, "agency_id"), col(agency, "agency_name")))
    network_of: dict[str, str] = {}
    if routes is not None:
        network_of = {r: n for r, n in zip(routes["route_id"], col(routes, "network_id")) if n}
    rn = feed.read("route_networks.txt", required=False)
    if rn is not None:
        network_of.update(zip(col(rn, "route_id"), col(rn, "network_id")))
    agencies_of: dict[str, set[str]] = {}
    if routes is not None:
        only = next(iter(names), "") if len(names) == 1 else ""
        for r, a in zip(routes["route_id"], col(routes, "agency_id")):
            if r in network_of:
                agencies_of.setdefault(network_of[r], set()).add(a or only)
    for net, agencies in agencies_of.items():
        if len(agencies) == 1:
            a = next(iter(agencies))
            out[net] = agency_operator(a, names.get(a, ""), op_map, feed.label)
    for net in op_map:
        out[net] = op_map[net]  # an explicit network entry wins
    return out


def operator_of_network(net: str, known: Mapping[str, str]) -> str:
    """The operator id of ``network_id`` ``net``: its entry in ``known``
    (:func:`network_operators`), else the network id made valid (:func:`~.ids.network_id`)."""
    return known.get(net, network_id(net))
