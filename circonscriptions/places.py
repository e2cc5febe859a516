"""Place names and commune outlines for QG's maps, from QG's own data.

Without a tile server (settings MAP_TILE_URL, see the README), a map would be coloured
shapes floating on grey: nobody finds « bureau 51 » on it. The maps then draw the outlines of
the communes they cover and write each commune's name at a point inside it (PostGIS's
point on surface: inside even a crescent-shaped commune, where a centroid may fall outside).
"""

import json

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from circonscriptions.models import CommuneShape

PRECISION = 5  # about a metre: enough for an outline drawn a few hundred pixels wide


def tiles_configured() -> bool:
    return bool(settings.LEAFLET_CONFIG.get("TILES"))


def commune_places(communes: QuerySet) -> list[dict]:
    """[{"name", "geometry" (GeoJSON), "label": [lon, lat]}] for the communes of `communes`
    that have an outline, in name order."""
    geom = Coalesce("geom_simple", "geom")
    rows = (
        CommuneShape.objects.filter(commune__in=communes)
        .annotate(
            outline=AsGeoJSON(geom, precision=PRECISION), label=AsGeoJSON(PointOnSurface(geom), precision=PRECISION)
        )
        .order_by("commune__name")
        .values_list("commune__name", "outline", "label")
    )
    return [
        {"name": name, "geometry": json.loads(outline), "label": json.loads(label)["coordinates"]}
        for name, outline, label in rows
    ]


def places_for_map(communes: QuerySet) -> list[dict]:
    """The places a map draws itself: none when tiles show the places already."""
    return [] if tiles_configured() else commune_places(communes)
