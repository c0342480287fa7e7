"""The schema's Alembic migrations, shipped inside the package so that `journal migrate` works
from any install (a non-editable one in the Docker image included)."""
