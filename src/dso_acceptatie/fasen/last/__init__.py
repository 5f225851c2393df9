"""Phase 'last': load tests of the raadpleeg services against their SLOs (locust, load/)."""
