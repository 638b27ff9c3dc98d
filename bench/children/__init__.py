"""Fresh-interpreter children: `python -m bench.children.<name>`, one JSON line out."""
