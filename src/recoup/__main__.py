"""``python -m recoup`` runs the command line."""

from recoup.entrypoints.cli import main

main()
