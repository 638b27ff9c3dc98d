"""`python -m graph.cli ...`, the same as the `graph` console script."""

from graph.cli import main

raise SystemExit(main())
