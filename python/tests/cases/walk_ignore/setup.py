raise SystemExit("setup.py must never be imported")
