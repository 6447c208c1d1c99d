"""What the tests share besides fixtures (those stay in ``tests/conftest.py``): paths and the
fake clock, the database harness, the sample province, and clients that drive the API and the
pages as officers do."""
