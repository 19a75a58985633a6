"""`python -m app` runs the CLI (what the `parallax` console script calls)."""

from app.cli import main

main()
