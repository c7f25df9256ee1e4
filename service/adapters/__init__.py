"""IO at the edges: the SQL store, the Mavera client, feeds, the scheduler."""
