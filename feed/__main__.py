"""``python -m feed`` runs the racefeed command line."""

from feed.cli import run

run()
