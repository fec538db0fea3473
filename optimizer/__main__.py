"""``python -m optimizer`` runs the returnroute command line."""

from optimizer.cli import main

main()
