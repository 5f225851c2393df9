"""Phase leveringen: conformance of deliveries (see fase.py)."""
