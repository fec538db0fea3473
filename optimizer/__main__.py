"""``python -m optimizer`` runs the returnroute command line (supervised, see entry.py)."""

from optimizer.entry import main

main()
