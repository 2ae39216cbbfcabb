"""Use cases: one function, one transaction. Only this layer fires triggers and commits."""
