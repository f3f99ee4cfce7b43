"""One example; a package so that type checkers tell its sync.py and async.py apart."""
