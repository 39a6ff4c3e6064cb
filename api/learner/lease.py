"""Only one learner learns: the holder of a lease row in the database.

Every tick renews the lease, and the tick's own transaction checks it again, so a learner
that lost it while it worked (paused, partitioned, too slow) cannot commit over the one
that took over. A clean stop hands it over at once instead of after it runs out.
"""

import logging
import os
import socket
import uuid

from sqlalchemy.orm import Session, sessionmaker

from api import crud

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another learner holds the lease now: this one must not commit."""


class Lease:
    def __init__(
        self, session_factory: sessionmaker[Session], *, seconds: float, take_over: str | None
    ):
        self.session_factory, self.seconds = session_factory, seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # The holder of a learner process known to be dead (its supervisor saw it exit):
        # its lease is taken at once rather than after it expires.
        self.take_over = take_over

    def hold(self) -> bool:
        with self.session_factory() as session, session.begin():
            return self.hold_in(session)

    def hold_in(self, session: Session) -> bool:
        """Take or renew the lease inside the caller's transaction."""
        held = crud.hold_lease(
            session, holder=self.holder, seconds=self.seconds, take_over=self.take_over
        )
        if held:
            self.take_over = None
        return held

    def check_in(self, session: Session) -> None:
        if not self.hold_in(session):
            raise LeaseLost("another learner took the lease; this tick is not committed")

    def release(self) -> None:
        try:
            with self.session_factory() as session, session.begin():
                crud.release_lease(session, holder=self.holder)
        except Exception:
            logger.warning("could not release the learner lease; it expires by itself")
