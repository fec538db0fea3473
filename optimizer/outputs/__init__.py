"""Renderings of a plan: plan.json (with its schema), tables (CSV, Excel, pandas), the HTML
report, the terminal, and the atomic output directory. Nothing here imports ``planning``."""
