"""What the system does, one module per use case, through the ports only."""
