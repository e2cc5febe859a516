"""What the profiles tell the layers above them (DESIGN: a lower app learns nothing of a higher one).

`profiles_computed` is sent once a recompute's run is current. Receivers get the run
and `queue`, the Celery queue the recompute came from (tests run their worker on a
private one), so that follow-up work can go where a worker listens.
"""

from django.dispatch import Signal

profiles_computed = Signal()
