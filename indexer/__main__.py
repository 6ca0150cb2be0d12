from indexer.entry import run

raise SystemExit(run())
