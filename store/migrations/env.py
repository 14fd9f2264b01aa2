"""Alembic environment: runs on the connection handed over by store.database.migrate, or
on DATABASE_URL when called as `alembic -c alembic.ini upgrade head`."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    url = os.environ.get("DATABASE_URL", "sqlite:///var/rop.db")
    with create_engine(url).begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
