# Bench drivers (bench/): filled in by the bench work.
.PHONY: bench
bench:
