from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class SupportSettings(Base):
    """The clinic's support contacts and the message shown with them: one row (id 1).

    Nothing is built in: each clinic enters its own on-call line and the national lines of
    its country."""

    __tablename__ = "support_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message: Mapped[str] = mapped_column(Text)
    resources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[Any] = mapped_column(Uuid, nullable=True)
