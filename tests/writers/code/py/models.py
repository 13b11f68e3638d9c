"""The orders models.

orders_legacy is the table the shop wrote until 2024.
"""
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class LegacyOrder(Base):
    __tablename__ = "orders_legacy"


def record(session, total):
    # INSERT INTO orders_legacy happens through the ORM below
    session.add(LegacyOrder(total=total))
